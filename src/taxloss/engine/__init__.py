"""The cost-basis engine. Its public function is ``compute`` (with ``value_history``, to
compute one history under several methods with one valuation).

Pure: imports only ``taxloss.model``, ``taxloss.money``, ``taxloss.errors``, the standard
library and ``dateutil.relativedelta``. No pandas, openpyxl, reportlab, click, files, logging
or clock (a test checks this in a fresh interpreter).

Shape. ``compute`` (``core``) sorts the trades, sets fiat moves apart (``fiat``), matches
transfers (``transfers``), values every row into events (``valuation``, ``currency``) and runs
them through one ``core.Run``. ``Run`` holds no book-keeping of its own: it builds the
collaborators below, each owning one part of the state, and dispatches each event by its
kind (acquire, add unknown, dispose, send, receive, remove, settle) to them.

- ``holdings.Holdings``: the book (``lots.LotBook``, one matcher whose methods are ordering
  keys; or ``average_cost.PoolBook`` for UK pooling and average cost), units per wallet, units
  outside the data, and the units and basis in and out that the books are checked against.
- ``taking.Taking``: units taken from the book, and what a shortfall becomes (a debt, par
  stablecoin basis, zero basis with ``--allow-missing-basis``, or a problem).
- ``rows.Rows``: disposals as Form 8949 rows (the method's lots, the UK same-day and 30-day
  plan of ``uk_pooling`` then the pool, or the average-cost pool).
- ``disallowance.Disallowance``: the Canadian superficial-loss windows and their denial.
- ``transit.Transit``: transfers in flight (their lots, under wallet scope).
- ``scope.ScopeSwitch``: the basis scope per date and the 2025 wallet allocation.
- ``debts.Debts``: debts to a platform and margin loans, and their repayment.
- ``positions.Positions``: derivative positions, one row each, and their reconciliation.
- ``accounts.Accounts``: the account statement's lines, income and expenses.
- ``peak.DayRecorder``: the units held at the end of each ``--prices`` day (the account
  statement's peak value of holdings).
- ``dates.Dates``: the reporting calendar (local dates, tax years, boxes), cached;
  ``notes.Notes``: the warnings, problems and assumptions all of them append to, in event
  order.
"""

from taxloss.engine.core import History, compute, value_history

__all__ = ["History", "compute", "value_history"]
