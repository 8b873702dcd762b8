"""Guided super-resolution generators (LR LST + HR guidance); importing registers them.

Every module of this package is one model family; all are imported here so that the lazy
registry location ``groklst.models`` finds them.
"""
import importlib
import pkgutil

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f'{__name__}.{_m}')
