"""groklst: land surface temperature (LST) downscaling and retrieval on MMEngine."""

__version__ = '0.1.0'
