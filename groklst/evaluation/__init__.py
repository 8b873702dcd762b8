"""Evaluation of downscaled LST: pixel metrics (:mod:`.functional`) and MMEngine metrics.

Importing this package registers the metrics (e.g. ``LSTMetric``) in
:data:`groklst.registry.METRICS`, which lists it as its lazy-import location.
"""
from .functional import bias, cc, lst_metrics, mae, rmse, rsd
from .metrics import LSTMetric, NoValidPixelsError

__all__ = ['LSTMetric', 'NoValidPixelsError', 'bias', 'cc', 'lst_metrics', 'mae', 'rmse', 'rsd']
