"""The summaries' method comparison: the tax year under every method the rule allows.

``Comparison`` computes every other method's figures once, in helper processes
(``workers.Helper``, one per method) from the moment the history is valued when it can, and
hands each tax year's summary its results; the build's own method is shown from the build's
report.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from taxloss.engine import History, value_history
from taxloss.errors import InternalError
from taxloss.model import Matching, Method, Report
from taxloss.plan import offset_plan
from taxloss.render.pdf_summary import MethodResult
from taxloss.returns.country import CountryPlan
from taxloss.returns.printed import Printed, Totals, TotalsOnly, YearFigures, printed
from taxloss.returns.us import OffsetPlan
from taxloss.workers import Helper

if TYPE_CHECKING:
    from taxloss.api import BuildOptions, Session

#: ``api.compute_report``'s signature as the comparison calls it (session, options, method,
#: history=the valued history).
ComputeReport = Callable[..., Report]


#: One method's comparison results by tax year, and its loss offsets (``Comparison``).
Outcome = tuple[dict[str, MethodResult], OffsetPlan | CountryPlan]


class Comparison:
    """Every allowed method's figures of each tax year, computed once and shared by every
    tax year's summary.

    The other methods' histories are valued once (``value_history``; in a build, the build's
    own valuation, ``history``) and matched once each;
    of each such run only what the summaries and ``taxloss compare`` show is kept (each
    year's totals and loss offset; the rows too for a country rule, whose comparison sums the
    gains), and the run's report is let go before the next one. In a build, ``start`` does
    this in helper processes (one per method, one after another) from the moment the history
    is valued, alongside the build's own run, and hands back only those figures (issue #16);
    the build's own method is shown from the build's report and printed rows.
    """

    def __init__(
        self,
        session: Session,
        options: BuildOptions,
        base: Report | None,
        figures: Printed | None = None,
        *,
        compute: ComputeReport,
    ) -> None:
        #: ``api.compute_report``: one method's report of the session.
        self.compute = compute
        self.session: Session | None = session
        self.rule, self.options, self.base = session.rule, options, base
        #: The base report's printed figures, if already made (not printed a second time).
        self.figures = figures
        #: The method left to the build's own report (None: every method is computed here).
        self.skip = base.method if base is not None else None
        self._others: dict[Method | Matching, Outcome] | None = None
        self._own: Outcome | None = None
        #: The helper processes computing the other methods (``start``), one per method,
        #: and the files their figures come back in.
        self._helpers: list[Helper] = []
        self._files: list[IO[bytes]] = []
        #: The session's trades already valued (``value_history``), shared with the build's
        #: own run; None: valued here.
        self.history: History | None = None

    def _outcome(self, method: Method | Matching, report: Report, rerun: bool) -> Outcome:
        """One method's results for each tax year with a disposal, and its loss offsets.

        The US comparison shows each box's totals and Schedule D: another method's run
        keeps only those (``TotalsOnly``, no printed rows); a country's comparison sums the
        rows' gains, so it keeps its rows."""
        if not rerun:
            figures = printed(report, self.figures)
        elif report.rule.offset.strategy == "us_schedule_d":
            figures = TotalsOnly(report)
        else:
            figures = Printed(report)
        offsets = offset_plan(report, self.options, figures)
        results = {}
        us = isinstance(offsets, OffsetPlan)  # it shows totals; a country's sums the gains
        for year in report.tax_years:
            shown = figures.totals(year) if us else figures.year(year)
            results[year] = MethodResult(method.value, shown, offsets.for_year(year))
        return results, offsets

    def _compute_others(
        self, methods: list[Method | Matching] | None = None
    ) -> dict[Method | Matching, Outcome]:
        """``methods`` (default: every method but ``skip``), on one valuation of the history."""
        session, options = self.session, self.options
        assert session is not None
        others = methods or [method for method in self.rule.methods if method is not self.skip]
        if not others:
            return {}
        history = self.history
        if history is None:
            history = value_history(
                session.trades, session.rule, prices=session.prices, timezone=options.timezone,
                fx=session.fx,
            )  # fmt: skip
        elif session.trades:  # valued already: the trades go, so the runs use their memory
            # Only the figures are kept: the rows' ids and notes are not looked up, and are
            # not kept unless a Form 1099-DA is tied out.
            tied = bool(session.forms or options.reported_by)
            session = self.session = session.released(facts=tied)
        found = {}
        for method in others:
            # The last run is the history's last (the build's own run has been made, or is
            # made in another process): it lets the events go as it goes.
            report = self.compute(
                session, options, method, history=history, references=False,
                consume=method is others[-1],
            )  # fmt: skip
            found[method] = self._outcome(method, report, rerun=True)
            del report
        return found

    def start(self, method: Method | Matching) -> None:
        """Compute every method but ``method`` (the build's own) in helper processes (where
        ``os.fork`` exists), one per method, each method's figures coming back through a
        temporary file.

        One helper per method, so that each run is the last of its process's history and
        lets the events go as it goes (``consume``): one process running the methods in
        turn would hold the whole history and a whole report at once, the largest process
        of a million-row build (issue #16). The helpers run one after another, as one
        process would: each waits on a pipe for the one before it to finish, so the build's
        own run keeps a core.
        """
        self.skip = method
        others = [m for m in self.rule.methods if m is not method]
        if not hasattr(os, "fork") or not others:
            return
        after: int | None = None  # the read end of the previous helper's "done" pipe
        for other in others:
            out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
            self._files.append(out)
            done, finished = os.pipe()

            def job(
                out: IO[bytes] = out,
                other: Method | Matching = other,
                after: int | None = after,
                finished: int = finished,
            ) -> None:
                if after is not None:
                    os.read(after, 1)  # the helper before this one is done (or gone)
                try:
                    found = self._compute_others([other])
                    out.write(pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
                    out.flush()
                finally:
                    os.close(finished)  # the next helper starts

            self._helpers.append(Helper(job, "comparing methods in a helper process"))
            os.close(finished)
            if after is not None:
                os.close(after)
            after = done
        if after is not None:
            os.close(after)

    @property
    def needs_history(self) -> bool:
        """Other methods are still to be computed in this process, from the history."""
        others = any(method is not self.skip for method in self.rule.methods)
        return others and not self._helpers and self._others is None

    def detach(self) -> None:
        """Let the trades go: compute the other methods now unless helpers are doing so."""
        if not self._helpers and self._others is None:
            self._others = self._compute_others()
        self.session = self.history = None

    def stop(self) -> None:
        """End the helper processes (killed if still running) and close their files."""
        for helper in self._helpers:
            helper.stop()
        for file in self._files:
            file.close()

    def _fetch(self) -> dict[Method | Matching, Outcome]:
        if self._others is None:
            if self._helpers:
                found: dict[Method | Matching, Outcome] = {}
                for helper, file in zip(self._helpers, self._files, strict=True):
                    helper.wait()
                    size = os.fstat(file.fileno()).st_size
                    data = bytearray()
                    while len(data) < size:  # pread: the file offset may be another process's
                        data += os.pread(file.fileno(), size - len(data), len(data))
                    found.update(pickle.loads(data))
                self._others = found
            else:
                self._others = self._compute_others()
        return self._others

    def for_year(self, year: str) -> list[MethodResult]:
        """The tax year under each method, in the rule's order."""
        others = self._fetch()
        results = []
        for method in self.rule.methods:
            outcome = others.get(method)
            if outcome is None:  # the build's own method
                if self._own is None:
                    if self.base is None or self.base.method is not method:
                        raise InternalError(f"no report for {method.value} to compare")
                    self._own = self._outcome(method, self.base, rerun=False)
                outcome = self._own
            years, offsets = outcome
            found = years.get(year)
            if found is None:
                empty = YearFigures(year, [], Totals(), Totals())
                found = MethodResult(method.value, empty, offsets.for_year(year))
            results.append(found)
        return results
