"""kawasan: decision support for turning a planned Indonesian industrial estate into a real one.

The public Python API re-exports the pieces a notebook user needs:

>>> import kawasan
>>> kawasan.__version__  # doctest: +ELLIPSIS
'...'
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kawasan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
