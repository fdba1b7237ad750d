"""The cost-basis engine. Its public function is ``compute`` (with ``value_history``, to
compute one history under several methods with one valuation).

Pure: imports only ``taxloss.model``, ``taxloss.money``, ``taxloss.errors``, the standard
library and ``dateutil.relativedelta``. No pandas, openpyxl, reportlab, click, files, logging
or clock (a test checks this in a fresh interpreter).
"""

from taxloss.engine.core import History, compute, value_history

__all__ = ["History", "compute", "value_history"]
