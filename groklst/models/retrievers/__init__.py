"""Retrieval task heads: thermal BT (+ auxiliaries) -> LST / LSE regression models.

Every module of this package is imported here so that the registry finds its models.
"""
import importlib
import pkgutil

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f'{__name__}.{_m}')
