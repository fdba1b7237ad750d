"""--overrides and taxloss check (issue #13 item 7): every question at once, answered without
editing the export, each answer listed with the user's note in report.json and the summary."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from taxloss.cli import main
from taxloss.overrides import starter_text
from taxloss.render.cells import safe_text

from ..conftest import ROOT

Q = "samples/questions/"
FILES = [Q + "us-questions.csv", Q + "coinbase-questions.csv"]
ANSWERS = Q + "us-questions.overrides.csv"


@pytest.fixture
def tl(runner, monkeypatch):
    """tl(*args) -> the click Result, run from the repository root (paths as in the README)."""
    monkeypatch.chdir(ROOT)
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_check_lists_every_question_at_once(tl) -> None:
    result = tl("check", *FILES)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "2 question(s) (answer each, or fix the export):"
    assert lines[1].startswith(
        f"  {Q}coinbase-questions.csv:6: Transaction Type: unknown transaction type 'Vault Deposit'"
    )
    assert lines[2] == "      answer: skip (only if the row should not count)"
    assert lines[3] == (
        f"  {Q}us-questions.csv:4: fiat_value: needs a USD value for 2 ETH and 0.05 BTC on "
        "2025-03-03: give fiat_value in the row, a --prices row 'date,asset,price', or an "
        f"--overrides line '{Q}us-questions.csv:4,value AMOUNT,NOTE' (the row's USD value)"
    )
    # The user's own BTC/USDT trade 35 minutes earlier prices the BTC given: offered, not used.
    assert lines[4] == (
        "      answer: value 4500.00 (0.05 BTC at 90000.00 USD per unit from your own BTC/USDT "
        f"trade at {Q}us-questions.csv:3, 35 min before (USDT taken as 1 USD); not applied: "
        "copy it into the action if it is right)"
    )
    assert lines[5].startswith("Not yet checked: units sold with no recorded acquisition")


def test_check_of_one_file_also_finds_the_lot_questions_it_can(tl) -> None:
    result = tl("check", FILES[0])
    assert result.exit_code == 2
    # The ARB sale does not depend on the ETH/BTC row that needs a value, so it is asked now.
    assert (
        f"  {Q}us-questions.csv:6: sells 400 ARB received by the unmatched deposit at "
        f"{Q}us-questions.csv:5, whose basis is unknown" in result.output
    )
    assert (
        f"'{Q}us-questions.csv:5,treat-as buy,NOTE' and '{Q}us-questions.csv:5,value COST,NOTE'"
        in (result.output)
    )
    assert "Not yet checked: sales of BTC, ETH are checked" in result.output


def test_check_writes_a_starter_file_and_never_overwrites_one(tl, tmp_path: Path) -> None:
    starter = tmp_path / "answers.csv"
    result = tl("check", *FILES, "--write-overrides", starter)
    assert result.exit_code == 2
    lines = starter.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source,action,note,question,suggestion"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        [f"{Q}coinbase-questions.csv:6", "", ""],
        [f"{Q}us-questions.csv:4", "", ""],
    ]
    assert "value 4500.00: 0.05 BTC at 90000.00 USD" in lines[2]
    # Used as it is, the starter answers nothing: every line asks for a choice.
    result = tl("check", *FILES, "--overrides", starter)
    assert result.exit_code == 2
    assert (
        f"{starter.name}:2: action: expected one of skip, treat-as TYPE, value AMOUNT, note, "
        in (result.stderr)
    )
    assert f"{starter.name}:2: note: expected a note saying why" in result.stderr
    again = tl("check", *FILES, "--write-overrides", starter)
    assert again.exit_code == 2
    assert "--write-overrides: the file exists" in again.stderr


def test_answered_check_has_no_questions(tl) -> None:
    result = tl("check", *FILES, "--overrides", ANSWERS)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines()[-1] == (
        "No questions: 2 file(s), 7 row(s) read; taxloss build will run."
    )


def test_check_of_clean_samples_exits_0(tl) -> None:
    result = tl("check", "samples/coinbase-eur.csv", "samples/us-liquidated-trader.csv")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.startswith("No questions")


def test_the_refusal_stands_until_answered(tl, tmp_path: Path) -> None:
    result = tl("build", *FILES, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_build_with_overrides_lists_every_answer(tl, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = tl("build", *FILES, "--overrides", ANSWERS, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    assert "Your answers applied (--overrides, 4):" in result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(o["source"], o["action"], o["effect"]) for o in data["overrides"]] == [
        (f"{Q}coinbase-questions.csv:6", "skip", "left out before parsing"),
        (f"{Q}us-questions.csv:4", "value 4500.00", "valued at 4500.00 USD"),
        (f"{Q}us-questions.csv:5", "treat-as income", "type deposit read as income"),
        (f"{Q}us-questions.csv:5", "value 412.00", "valued at 412.00 USD"),
    ]
    assert data["overrides"][3]["overrides_line"] == f"{ANSWERS}:5"
    assert data["overrides"][3]["note"] == "400 ARB at 1.03 USD (CoinGecko daily close 2025-03-10)"
    # The airdrop is income at the user's value, and the basis of the ARB sold.
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [("ARB", "412.00")]
    (arb,) = [d for d in data["disposals"] if d["asset"] == "ARB"]
    assert (arb["proceeds"], arb["cost_basis"], arb["gain_loss"]) == ("150.00", "412.00", "-262.00")
    # The ETH bought with BTC has the user's 4,500 as its basis (2 ETH; 1 sold).
    (eth,) = [d for d in data["disposals"] if d["asset"] == "ETH"]
    assert eth["cost_basis"] == "2250.00"
    text = "".join(page.extract_text() for page in PdfReader(out / "summary-2025.pdf").pages)
    flat = " ".join(text.split())
    assert "Your answers (--overrides)" in flat
    assert "400 ARB at 1.03 USD (CoinGecko daily close 2025-03-10)" in flat
    assert "4 row(s) were answered by your --overrides file" in flat


def test_an_override_that_matches_nothing_is_an_error(tl, tmp_path: Path) -> None:
    answers = tmp_path / "ov.csv"
    answers.write_text(
        "source,action,note\n"
        f"{Q}us-questions.csv:99,skip,typo\n"
        "coinbase:nope,note,an id that is not there\n",
        encoding="utf-8",
    )
    result = tl("build", FILES[0], "--overrides", answers, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        f"{answers.name}:2: source: '{Q}us-questions.csv:99' matches no row read from the input "
        "files: expected path:line of a data row as taxloss check lists it (a skip needs the "
        "row's line; the other actions need a row that was read into a trade)",
        f"{answers.name}:3: source: 'coinbase:nope' matches no row read from the input files: "
        "expected an exchange id as taxloss check lists it (a skip needs the row's line; the "
        "other actions need a row that was read into a trade)",
    ]


def test_bad_override_lines_are_listed_at_once(tl, tmp_path: Path) -> None:
    answers = tmp_path / "ov.csv"
    answers.write_text(
        "source,action,note\n"
        f"{Q}us-questions.csv:4,value 12 USD,x\n"
        f"{Q}us-questions.csv:4,treat-as gift,x\n"
        f"{Q}us-questions.csv:4,skip,\n"
        f"{Q}us-questions.csv:4,note,a, b\n",
        encoding="utf-8",
    )
    result = tl("check", FILES[0], "--overrides", answers)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{answers.name}:2: action: expected one of skip, treat-as TYPE, value AMOUNT, note, found "
        "'value 12 USD'"
    )
    assert lines[1].startswith(f"{answers.name}:3: action: treat-as: expected one of buy, sell,")
    assert lines[2] == (
        f"{answers.name}:4: note: expected a note saying why (it is printed with the row in every "
        "output)"
    )
    assert lines[3] == (
        f"{answers.name}:5: note: expected 3 cells as in the header, found 4: put a note that "
        'contains a comma in double quotes ("...")'
    )


def test_a_value_is_in_the_report_currency(tl, tmp_path: Path) -> None:
    answers = tmp_path / "ov.csv"
    answers.write_text(
        "source,action,note\n"
        f"{Q}us-questions.csv:4,value 4100,EUR value of the BTC given\n"
        f"{Q}us-questions.csv:5,treat-as income,airdrop\n"
        f"{Q}us-questions.csv:5,value 380,airdrop value in EUR\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    result = tl("build", "--country", "de", FILES[0], "--overrides", answers, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [("ARB", "380.00")]
    assert not [c for c in data["conversions"] if c["source"].endswith(":5")]


def test_starter_cells_are_never_formulas() -> None:
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("plain") == "plain"
    text = starter_text([("a.csv:2", "@SUM(1)", "skip")])
    assert text.splitlines()[1] == "a.csv:2,,,'@SUM(1),skip"


def test_an_id_answers_its_row(tl, tmp_path: Path) -> None:
    answers = tmp_path / "ov.csv"
    answers.write_text(
        "source,action,note\n"
        "bn-2002,value 4500,the ETH/BTC trade by its id\n"
        "bn-2003,skip,not a location: a skip needs path:line\n",
        encoding="utf-8",
    )
    result = tl("check", FILES[0], "--overrides", answers)
    assert result.exit_code == 2
    assert f"  {answers.name}:3: source: 'bn-2003' matches no row" in result.output
    answers.write_text(
        "source,action,note\nbn-2002,value 4500,the ETH/BTC trade by its id\n", encoding="utf-8"
    )
    result = tl("check", FILES[0], "--overrides", answers)
    assert f"answered by --overrides: {Q}us-questions.csv:4: value 4500" in result.output
    assert "us-questions.csv:4: fiat_value" not in result.output


def test_a_refused_build_says_how_to_answer(tl, tmp_path: Path, monkeypatch) -> None:
    # Not in a pipe or a log: there every line after a refusal starts with path:line:.
    result = tl("build", *FILES, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "Each row above" not in result.stderr
    monkeypatch.setattr("taxloss.cli.interactive", lambda: True)  # a person's terminal
    result = tl("build", *FILES, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Each row above can be answered without editing the export: run 'taxloss check' on the "
        "same files with --write-overrides answers.csv, fill in each action (skip, treat-as "
        "TYPE, value AMOUNT or note) and note, and pass --overrides answers.csv."
    )


def test_check_reads_the_other_rows_of_a_file_with_a_refused_row(tl, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity\n"
        "2025-01-02T00:00:00Z,gift,BTC,1,,\n"
        "2025-01-03T00:00:00Z,buy,ETH,1,SOL,20\n",
        encoding="utf-8",
    )
    result = tl("check", path)
    assert result.exit_code == 2
    name = path.name  # a file outside the working folder is named by its file name
    questions = [line for line in result.output.splitlines() if line.startswith(f"  {name}")]
    assert [q.split(": ")[0:2] for q in questions] == [
        [f"  {name}:2", "type"],
        [f"  {name}:3", "fiat_value"],
    ]


def test_a_value_takes_a_comma_only_as_a_thousands_group(tmp_path: Path) -> None:
    from taxloss.errors import InputError
    from taxloss.overrides import read_overrides

    good = tmp_path / "good.csv"
    good.write_text(
        'source,action,note\nx.csv:2,"value 1,250.50",a\nx.csv:3,value 1250.5,b\n',
        encoding="utf-8",
    )
    assert [o.amount for o in read_overrides(good, "good.csv")] == [
        Decimal("1250.50"),
        Decimal("1250.5"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        'source,action,note\nx.csv:2,"value 1250,5",a\nx.csv:3,"value 1.250,50",b\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_overrides(bad, "bad.csv")
    assert [p.source.line for p in caught.value.problems if p.source] == [2, 3]


def test_check_keeps_a_skip_answer_of_a_file_with_another_refused_row(tl, tmp_path: Path) -> None:
    # Row 6 (a type taxloss does not know) twice: the first answered with skip, the second not.
    lines = (ROOT / FILES[1]).read_text(encoding="utf-8").splitlines(keepends=True)
    two = tmp_path / "two.csv"
    two.write_text("".join([*lines[:6], lines[5], *lines[6:]]), encoding="utf-8")
    answers = tmp_path / "ans.csv"
    answers.write_text("source,action,note\ntwo.csv:6,skip,a vault move\n", encoding="utf-8")
    result = tl("check", two, "--overrides", answers)
    assert result.exit_code == 2
    assert "two.csv:7" in result.output
    assert "matches no row" not in result.output + result.stderr
