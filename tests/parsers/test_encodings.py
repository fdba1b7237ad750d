"""Issue #13, items 4 and 5: files saved by Excel on Windows (cp1252), by European Excel (';'
and decimal commas) or as UTF-16 text are read, and each assumption (encoding, separator,
decimal mark, a zone the file does not state) is recorded with its file and line: printed by
``taxloss build``, in report.json ``assumptions`` and in the summary PDF."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from click.testing import CliRunner

from taxloss.cli import main
from taxloss.parsers import ParseOptions, read_file

from ..conftest import SAMPLES
from .conftest import errors, trade_lines

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,note"
ROWS = [
    "2025-01-02T10:00:00Z,buy,BTC,0.5,EUR,20000.50,EUR,10.25,Sparplan Müller €",
    "2025-03-04T10:00:00Z,sell,BTC,0.25,EUR,11000,EUR,5.5,Verkauf",
]


def read(path: Path):
    return read_file(path, path.name, ParseOptions(path.stem))


def codes(parsed) -> list[tuple[str, int]]:
    return [(n.code, n.source.line) for n in parsed.assumptions]


def test_windows_1252_file_is_read_with_the_encoding_recorded(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\r\n".join([HEADER, *ROWS, ""]).encode("cp1252"))
    assert b"\x80" in path.read_bytes()  # the euro sign as Excel on Windows writes it
    parsed = read(path)
    assert parsed.trades[0].note == "Sparplan Müller €"
    (notice,) = parsed.assumptions
    assert (notice.code, str(notice.source)) == ("encoding_assumed", "excel.csv:2")
    assert notice.message.startswith(
        "the file is not UTF-8: read as Windows-1252 (Western European: Excel on Windows) "
        "(detected by charset-normalizer)"
    )


def test_utf16_tab_separated_text_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tabs between the columns.
    path = tmp_path / "unicode.txt"
    text = "\r\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    parsed = read(path)
    assert [t.quantity for t in parsed.trades] == [t.quantity for t in read_utf8(tmp_path)]
    assert codes(parsed) == [("encoding_assumed", 1), ("delimiter_assumed", 1)]
    assert "read as UTF-16 (its byte-order mark)" in parsed.assumptions[0].message
    assert "separates its columns with tabs" in parsed.assumptions[1].message


def read_utf8(tmp_path: Path):
    path = tmp_path / "plain.csv"
    path.write_text("\n".join([HEADER, *ROWS, ""]), encoding="utf-8")
    plain = read(path)
    assert plain.assumptions == []  # UTF-8 with commas: nothing assumed
    return plain.trades


def test_european_excel_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    rows = [
        "2025-01-02T10:00:00Z;buy;BTC;0,5;EUR;20.000,50;EUR;10,25;Sparplan Müller €",
        '2025-03-04T10:00:00Z;sell;BTC;0,25;EUR;11000;EUR;5,5;"Verkauf; Teil 1"',
    ]
    path.write_bytes("\r\n".join([HEADER.replace(",", ";"), *rows, ""]).encode("cp1252"))
    parsed = read(path)
    assert trade_lines(parsed.trades) == [
        "2 | 2025-01-02T10:00:00Z | buy | 0.5 BTC | quote 20000.5 EUR | fee 10.25 EUR | "
        "wallet de | note 'Sparplan Müller €'",
        "3 | 2025-03-04T10:00:00Z | sell | 0.25 BTC | quote 11000 EUR | fee 5.5 EUR | "
        "wallet de | note 'Verkauf; Teil 1'",
    ]
    assert codes(parsed) == [
        ("encoding_assumed", 2),
        ("delimiter_assumed", 1),
        ("decimal_comma_assumed", 2),
    ]
    assert parsed.assumptions[2].message == (
        "the file writes numbers with a decimal comma (1,5 = one and a half): 5 cell(s) read "
        "that way, the first on line 2"
    )


def test_a_number_that_reads_two_ways_is_an_error(parse, tmp_path: Path) -> None:
    path = tmp_path / "ambiguous.csv"
    rows = [
        "2025-01-02T10:00:00Z;buy;BTC;0,5;EUR;20000,5;EUR;10,25;",
        "2025-03-04T10:00:00Z;sell;BTC;0,25;EUR;11.000;EUR;5,5;",
    ]
    path.write_text("\n".join([HEADER.replace(",", ";"), *rows, ""]), encoding="utf-8")
    assert errors(parse, path) == [
        "ambiguous.csv:3: quote_quantity: '11.000' reads as a thousands-grouped whole number or "
        "as a decimal, and the file writes decimal commas elsewhere: save the export again "
        "without thousands separators (or as 'CSV UTF-8' from an English-language spreadsheet)"
    ]


def test_semicolons_with_decimal_points_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    rows = ["2025-01-02T10:00:00Z;buy;BTC;0.5;EUR;20000.5;EUR;1.234;"]
    path.write_text("\n".join([HEADER.replace(",", ";"), *rows, ""]), encoding="utf-8")
    parsed = read(path)
    assert parsed.trades[0].fee_quantity is not None
    assert str(parsed.trades[0].fee_quantity) == "1.234"  # no decimal commas: a point is a point
    assert codes(parsed) == [("delimiter_assumed", 1)]


def test_build_prints_and_records_reading_assumptions(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("excel.csv").write_bytes("\r\n".join([HEADER, *ROWS, ""]).encode("cp1252"))
    kucoin = Path("kucoin.csv")
    kucoin.write_text(
        "tradeCreatedAt,orderId,symbol,side,price,size,funds,fee,liquidity,feeCurrency,orderType\n"
        "2025-01-05 08:00:00,o1,BTC-USDT,buy,40000,0.1,4000,4,taker,USDT,limit\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--country", "us", "excel.csv", "kucoin.csv",
                                       "--out", "out", "--prices", prices(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Assumed: excel.csv:2: the file is not UTF-8: read as Windows-1252" in result.stderr
    assert (
        "Assumed: kucoin.csv:1: column 'tradeCreatedAt' states no time zone: its "
        "times were read as UTC+8 (KuCoin's default display zone); if the export was made in "
        "another zone, build again with --timezone"
    ) in result.stderr
    data = json.loads(Path("out/report.json").read_text(encoding="utf-8"))
    found = [(a["code"], a["source"]) for a in data["assumptions"]]
    assert ("encoding_assumed", "excel.csv:2") in found
    assert ("zone_assumed", "kucoin.csv:1") in found
    (summary,) = Path("out").glob("summary-*.pdf")
    document = pypdfium2.PdfDocument(str(summary))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    text = " ".join(text.split())
    assert "zone_assumed" in text and "kucoin.csv:1" in text
    assert "encoding_assumed" in text and "excel.csv:2" in text
    # Each file's reading assumption is listed with its own message (zones differ by file).
    assert (
        "kucoin.csv:1: column 'tradeCreatedAt' states no time zone: its times were read as "
        "UTC+8" in text
    )


def prices(tmp_path: Path) -> str:
    path = tmp_path / "prices.csv"
    path.write_text(
        "date,asset,price\n2025-01-02,EUR,1.04\n2025-03-04,EUR,1.06\n", encoding="utf-8"
    )
    return str(path)


def test_timezone_option_is_recorded_for_a_file_without_zone(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    path = tmp_path / "kucoin.csv"
    path.write_text(
        "tradeCreatedAt,orderId,symbol,side,price,size,funds,fee,liquidity,feeCurrency,orderType\n"
        "2025-01-05 08:00:00,o1,BTC-USDT,buy,40000,0.1,4000,4,taker,USDT,limit\n",
        encoding="utf-8",
    )
    parsed = read_file(path, "kucoin.csv", ParseOptions("k", ZoneInfo("Europe/Berlin")))
    (notice,) = parsed.assumptions
    assert notice.message == (
        "column 'tradeCreatedAt' states no time zone: its times were read in "
        "Europe/Berlin, as --timezone says"
    )
    assert parsed.trades[0].timestamp.isoformat() == "2025-01-05T07:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gate-spot-account-book.csv", "read as UTC+8 (Gate's default display zone)"),
        ("okx-trading-history-2023.csv", "read as UTC+8 (OKX's default display zone"),
        ("bybit-transaction-log.csv", "read as UTC (Bybit documents UTC for its exports)"),
        ("kraken-ledgers.csv", "read as UTC (Kraken documents UTC for its exports)"),
        ("kraken-trades.csv", "read as UTC (Kraken documents UTC for its exports)"),
        ("okex-spot-fills-2020.csv", "read as UTC+8 (OKX's default display zone"),
        ("kucoin-trades-2019.csv", "read as UTC+8 (KuCoin's default display zone)"),
        # The file states its zone: nothing assumed.
        ("okx-trading-history.csv", None),
        ("kucoin-spot-orders.csv", None),
        ("bybit-eu-account-log.csv", None),
        ("binance-statement.csv", None),
        ("coinbase-transactions.csv", None),
        ("coinbase-advanced-fills.csv", None),
    ],
)
def test_every_assumed_zone_is_recorded(name: str, expected: str | None) -> None:
    parsed = read_file(SAMPLES / name, name, ParseOptions("w"))
    zones = [n for n in parsed.assumptions if n.code == "zone_assumed"]
    if expected is None:
        assert zones == []
    else:
        (notice,) = zones
        assert expected in notice.message
        assert notice.source is not None and notice.source.path == name


@pytest.mark.parametrize(
    ("name", "zone_text"),
    [("coinbase-transactions.csv", " UTC,"), ("coinbase-advanced-fills.csv", "Z,")],
)
def test_coinbase_times_without_their_zone_are_read_as_utc_and_recorded(
    name: str, zone_text: str, tmp_path: Path
) -> None:
    # A spreadsheet can drop the " UTC" or "Z" Coinbase writes after each time.
    path = tmp_path / name
    path.write_text((SAMPLES / name).read_text().replace(zone_text, ","), encoding="utf-8")
    parsed = read_file(path, name, ParseOptions("w"))
    original = read_file(SAMPLES / name, name, ParseOptions("w"))
    assert [t.timestamp for t in parsed.trades] == [t.timestamp for t in original.trades]
    (notice,) = [n for n in parsed.assumptions if n.code == "zone_assumed"]
    assert "read as UTC (Coinbase's reports are in UTC)" in notice.message


def test_detect_reads_utf16_and_windows_files(detect, tmp_path: Path) -> None:
    text = "\r\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\r\n"
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "win.csv").write_bytes("\r\n".join([HEADER, *ROWS, ""]).encode("cp1252"))
    out = detect("u16.txt", "win.csv", cwd=tmp_path)
    assert out == (
        "u16.txt: generic (header row at line 1 matches taxloss generic CSV)\n"
        "win.csv: generic (header row at line 1 matches taxloss generic CSV)\n"
    )


# -- dates a spreadsheet rewrote in its regional form -------------------------------------------


def test_european_dates_are_read_day_first(tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    rows = [
        "12.07.2024 10:05;buy;BTC;0,5;USD;20000;USD;0;",
        "01.08.2024 09:00:00;sell;BTC;0,25;USD;11000;USD;0;",
    ]
    path.write_text("\n".join([HEADER.replace(",", ";"), *rows, ""]), encoding="utf-8")
    parsed = read_file(path, path.name, ParseOptions("de", ZoneInfo("Europe/Berlin")))
    assert [t.timestamp.isoformat() for t in parsed.trades] == [
        "2024-07-12T08:05:00+00:00",
        "2024-08-01T07:00:00+00:00",
    ]
    (dates,) = [n for n in parsed.assumptions if n.code.startswith("dates_")]
    assert (dates.code, str(dates.source)) == ("dates_day_first", "de.csv:2")
    assert dates.message == (
        "dates in a spreadsheet's regional form read as day first ('12.07.2024 10:05' = "
        "2024-07-12; dotted dates are day first): 2 cell(s)"
    )


@pytest.mark.parametrize(
    ("dates", "code", "first"),
    [
        # A first number above 12 tells day first (UK Excel).
        (("25/03/2024 10:00", "04/05/2024 10:00"), "dates_day_first", "2024-05-04T10:00:00"),
        # A second number above 12 tells month first (US Excel).
        (("03/25/2024 10:00", "04/05/2024 10:00"), "dates_month_first", "2024-04-05T10:00:00"),
        # Nothing tells: US order assumed for a comma-separated file, and said so.
        (("03/04/2024 10:00", "04/05/2024 10:00"), "dates_month_first", "2024-04-05T10:00:00"),
    ],
)
def test_slash_dates_in_a_comma_file(tmp_path: Path, dates, code, first) -> None:
    path = tmp_path / "x.csv"
    rows = [f"{dates[0]},buy,BTC,1,USD,100,USD,0,", f"{dates[1]},sell,BTC,1,USD,100,USD,0,"]
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    parsed = read_file(path, path.name, ParseOptions("x", ZoneInfo("UTC")))
    assert parsed.trades[1].timestamp.isoformat() == first + "+00:00"
    (notice,) = parsed.assumptions
    assert notice.code == code
    if dates[0].startswith("03/04"):
        assert "assumed (US order): no date of the file tells" in notice.message


def test_dates_written_both_ways_are_an_error(parse, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    rows = [
        "25/03/2024 10:00,buy,BTC,1,USD,100,USD,0,",
        "03/25/2024 10:00,sell,BTC,1,USD,100,USD,0,",
    ]
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    assert errors(parse, path) == [
        "x.csv:2: timestamp: dates are written both day first and month first (e.g. "
        "'25/03/2024 10:00'): save the export again with dates as YYYY-MM-DD"
    ]


def test_resplit_keeps_cells_and_lines_and_reads_point_groups_as_thousands() -> None:
    from taxloss.parsers.encodings import resplit

    text = 'a;b;c\n1,5;1.000.000;"x;\ny"\n\n2;0,25 BTC;€ 12,50\n-2,75E-05;;\n'
    out, notices = resplit(text, ";", "f.csv", 1)
    assert out == 'a,b,c\n1.5,1000000,"x;\ny"\n\n2,0.25 BTC,€ 12.50\n-2.75E-05,,\n'
    assert [(n.code, n.source.line if n.source else 0) for n in notices] == [
        ("delimiter_assumed", 1),
        ("decimal_comma_assumed", 2),
    ]
    # Without decimal commas a point is a point, and nothing is rewritten.
    assert resplit("a;b\n1;1.000.000\n", ";", "f.csv", 1)[0] == "a,b\n1,1.000.000\n"


def _as_european_excel(text: str) -> bytes:
    """``text`` as German Excel on Windows saves it: ``;``, decimal commas, dotted dates,
    CRLF, cp1252."""
    import csv
    import io
    import re

    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for number, row in enumerate(rows):
        if number:
            cells = []
            for cell in row:
                date = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)", cell)
                if date:
                    cell = f"{date[3]}.{date[2]}.{date[1]} {date[4]}"
                elif re.fullmatch(r"-?\d+\.\d+", cell):
                    cell = cell.replace(".", ",")
                cells.append(cell)
            row = cells
        writer.writerow(row)
    return out.getvalue().encode("cp1252")


@pytest.mark.parametrize(
    "name",
    [
        "kraken-ledgers.csv",
        "kraken-trades.csv",
        "binance-statement.csv",
        "bybit-transaction-log.csv",
        "kucoin-spot-orders.csv",
        "gate-spot-account-book.csv",
        "us-liquidated-trader.csv",
    ],
)
def test_exports_saved_again_by_european_excel_read_the_same(tmp_path: Path, name: str) -> None:
    source = SAMPLES / name
    resaved = tmp_path / name
    resaved.write_bytes(_as_european_excel(source.read_text(encoding="utf-8")))
    original = read_file(source, name, ParseOptions(source.stem))
    again = read_file(resaved, name, ParseOptions(source.stem))
    assert trade_lines(again.trades) == trade_lines(original.trades)
    assert {n.code for n in again.assumptions} - {n.code for n in original.assumptions} <= {
        "delimiter_assumed",
        "decimal_comma_assumed",
        "dates_day_first",
    }


def _as_us_excel(text: str) -> str:
    """``text`` with its dates as US Excel writes them (``1/3/2025 14:02:11``)."""
    import re

    return re.sub(
        r"(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})",
        lambda m: f"{int(m[2])}/{int(m[3])}/{m[1]} {m[4]}",
        text,
    )


@pytest.mark.parametrize("name", ["kraken-ledgers.csv", "bybit-transaction-log.csv"])
def test_exports_saved_again_by_us_excel_read_the_same(tmp_path: Path, name: str) -> None:
    source = SAMPLES / name
    resaved = tmp_path / name
    resaved.write_text(_as_us_excel(source.read_text(encoding="utf-8")), encoding="utf-8")
    original = read_file(source, name, ParseOptions(source.stem))
    again = read_file(resaved, name, ParseOptions(source.stem))
    assert trade_lines(again.trades) == trade_lines(original.trades)
    (dates,) = [n for n in again.assumptions if n.code.startswith("dates_")]
    assert dates.code == "dates_month_first"


def test_utf16_without_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "le.txt"
    text = "\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\n"
    path.write_bytes(text.encode("utf-16-le"))
    parsed = read(path)
    assert len(parsed.trades) == 2
    assert "read as UTF-16 (little-endian, no byte-order mark)" in parsed.assumptions[0].message


@pytest.mark.parametrize("time", ["10:05:09.5", "10:05 UTC", "10:05:09Z"])
def test_day_first_dates_with_fractions_or_a_zone_are_not_swapped(tmp_path: Path, time) -> None:
    # Before: the file was not rewritten, and dateutil read 05/02/2024 as May 2 while it
    # swapped 13/01/2024 to January 13, silently.
    path = tmp_path / "x.csv"
    rows = [
        f"13/01/2024 {time},buy,BTC,1,USD,100,USD,0,",
        f"05/02/2024 {time},sell,BTC,1,USD,100,USD,0,",
    ]
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    parsed = read_file(path, path.name, ParseOptions("x", ZoneInfo("UTC")))
    assert [t.timestamp.date().isoformat() for t in parsed.trades] == ["2024-01-13", "2024-02-05"]
    (notice,) = parsed.assumptions
    assert notice.code == "dates_day_first"


def test_a_day_first_date_is_not_swapped_by_the_timestamp_reader() -> None:
    from taxloss.parsers.numbers import BadValue, parse_timestamp

    with pytest.raises(BadValue, match="day first or month first"):
        parse_timestamp("13/01/2024 10:05 +01:00", ZoneInfo("UTC"))
    with pytest.raises(BadValue, match="day first or month first"):
        parse_timestamp("13-01-2024", ZoneInfo("UTC"))
    # A caller that knows the order says so.
    moment = parse_timestamp("13/01/2024 10:05", ZoneInfo("UTC"), day_first=True)
    assert moment.isoformat() == "2024-01-13T10:05:00+00:00"
    assert parse_timestamp("01/13/2024", ZoneInfo("UTC")).date().isoformat() == "2024-01-13"


def test_a_comma_group_beside_decimal_points_is_an_error(parse, tmp_path: Path) -> None:
    # Before: '1,234' was read as 1.234 with only a decimal_comma_assumed notice.
    path = tmp_path / "mixed.csv"
    rows = [
        "2025-01-02T10:00:00Z;buy;BTC;0.5;EUR;1,234;EUR;12.75;",
        "2025-03-04T10:00:00Z;sell;BTC;0.25;EUR;900;EUR;1.5;",
    ]
    path.write_text("\n".join([HEADER.replace(",", ";"), *rows, ""]), encoding="utf-8")
    assert errors(parse, path) == [
        "mixed.csv:2: quote_quantity: '1,234' reads as a thousands-grouped whole number or as "
        "a decimal, and the file writes decimal points elsewhere (line 2: '0.5'): save the "
        "export again without thousands separators (or as 'CSV UTF-8' from an "
        "English-language spreadsheet)"
    ]


def test_decimal_commas_that_read_one_way_beside_decimal_points_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    rows = ["2025-01-02T10:00:00Z;buy;BTC;0.5;EUR;1234,5;EUR;12.75;"]
    path.write_text("\n".join([HEADER.replace(",", ";"), *rows, ""]), encoding="utf-8")
    parsed = read(path)
    assert str(parsed.trades[0].quote_quantity) == "1234.5"
    assert codes(parsed) == [("delimiter_assumed", 1), ("decimal_comma_assumed", 2)]
