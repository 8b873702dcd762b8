"""Stack per-sample LR LST, HR guidance and masks into batch tensors on the model's device."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from groklst.registry import MODELS


def _stack(items: Sequence[Optional[torch.Tensor]], name: str) -> Optional[torch.Tensor]:
    if items is None or all(i is None for i in items):
        return None
    if any(i is None for i in items):
        raise ValueError(f'Batch mixes samples with and without {name}')
    shapes = {tuple(i.shape) for i in items}
    if len(shapes) > 1:
        raise ValueError(f'Cannot batch {name} of different shapes {sorted(shapes)}; '
                         'crop to a fixed patch size or use batch_size=1')
    return torch.stack(list(items))


@MODELS.register_module()
class LSTDataPreprocessor(BaseDataPreprocessor):
    """Collate ``inputs=dict(lr, guidance)`` lists into ``lr`` (B, 1, h, w) and ``guidance``
    (B, K, H, W) (or None for single-image SR), cast to float32 and move to the device.

    Masks and references stay in the ``LSTDataSample`` list (moved to the device too); the model
    stacks what it needs. Normalization is not done here: the Downscaler owns LST normalization
    and guidance is normalized by the ``NormalizeGuidance`` transform.

    Raises:
        ValueError: samples of one batch have different shapes.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, dict):
            lr, guidance = inputs['lr'], inputs.get('guidance')
        else:  # list of per-sample dicts
            lr = [i['lr'] for i in inputs]
            guidance = [i.get('guidance') for i in inputs]
        lr = lr if isinstance(lr, torch.Tensor) else _stack(lr, 'lr')
        if guidance is not None and not isinstance(guidance, torch.Tensor):
            guidance = _stack(guidance, 'guidance')
        batch = dict(lr=lr.float(), guidance=None if guidance is None else guidance.float())
        return dict(inputs=batch, data_samples=data.get('data_samples'))
