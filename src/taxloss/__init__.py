"""taxloss: crypto capital gains and loss reports, computed locally with exact decimals."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("taxloss")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
