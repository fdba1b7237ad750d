"""The cost-basis engine. Its only public function is ``compute``.

Pure: imports only ``taxloss.model``, ``taxloss.money``, ``taxloss.errors``, the standard
library and ``dateutil.relativedelta``. No pandas, openpyxl, reportlab, click, files, logging
or clock (a test checks this in a fresh interpreter).
"""

from taxloss.engine.core import compute

__all__ = ["compute"]
