from .consistency import AggregationConsistencyLoss, aggregate_lst
from .pixel_losses import MaskedCharbonnierLoss, MaskedL1Loss, MaskedMSELoss

__all__ = ['MaskedL1Loss', 'MaskedMSELoss', 'MaskedCharbonnierLoss', 'AggregationConsistencyLoss',
           'aggregate_lst']
