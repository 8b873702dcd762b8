"""MMEngine metrics of groklst (importing this package registers them in ``METRICS``)."""
import importlib
import pkgutil

from .lst_metric import LSTMetric, NoValidPixelsError

__all__ = ['LSTMetric', 'NoValidPixelsError']

# Modules added later (one per dataset/metric) register themselves when imported here.
for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f'{__name__}.{_m}')
