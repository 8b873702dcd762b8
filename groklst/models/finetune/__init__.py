"""Parameter-efficient and staged fine-tuning strategies shared by retrieval and downscaling models.

Every module of this package is imported here so that the registry finds its components.
"""
import importlib
import pkgutil

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f'{__name__}.{_m}')
