from .consistency import AggregationConsistencyLoss, aggregate_lst
from .pixel_losses import MaskedCharbonnierLoss, MaskedL1Loss

__all__ = ['MaskedL1Loss', 'MaskedCharbonnierLoss', 'AggregationConsistencyLoss',
           'aggregate_lst']
