from .pixel_losses import MaskedCharbonnierLoss, MaskedL1Loss

__all__ = ['MaskedL1Loss', 'MaskedCharbonnierLoss']
