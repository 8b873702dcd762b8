"""MMEngine metrics of groklst (importing this package registers them in ``METRICS``)."""
from .lst_metric import LSTMetric

__all__ = ['LSTMetric']
