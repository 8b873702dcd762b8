"""groklst: land surface temperature (LST) downscaling and retrieval on MMEngine."""
from .utils.compat import patch_mmengine as _patch_mmengine

__version__ = '0.1.0'

# Safe, strict checkpoint loading wherever groklst is imported (see utils/compat.py).
_patch_mmengine()
