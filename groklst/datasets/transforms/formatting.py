"""Pack a results dict into network inputs and an ``LSTDataSample``."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform

from groklst.registry import TRANSFORMS
from groklst.structures import LSTDataSample

_META_KEYS = ('scale', 'sample_id', 'guidance_bands', 'lr_path', 'gt_path', 'guidance_path',
              'hr_window', 'ori_shape', 'crop_origin_lr', 'flip_rot', 'crs', 'transform',
              'sample_kind', 'scene_id')


@TRANSFORMS.register_module()
class PackLSTInputs(BaseTransform):
    """Pack ``lr_lst``/``guidance`` into ``inputs`` and references/masks into an ``LSTDataSample``.

    Output: ``dict(inputs=dict(lr=Tensor(1, h, w), guidance=Tensor(K, H, W) or None),
    data_samples=LSTDataSample(gt_lst, gt_mask, lr_mask, lr_lst, metainfo))``.
    """

    def transform(self, results: dict) -> dict:
        def t(a, dtype=torch.float32):
            return torch.from_numpy(np.ascontiguousarray(a)).to(dtype)

        lr = t(results['lr_lst'])
        guidance = t(results['guidance']) if results.get('guidance') is not None else None
        sample = LSTDataSample(metainfo={k: results[k] for k in _META_KEYS if k in results})
        sample.lr_lst = lr
        sample.lr_mask = t(results['lr_mask'], torch.bool)
        if results.get('gt_lst') is not None:
            sample.gt_lst = t(results['gt_lst'])
            sample.gt_mask = t(results['gt_mask'], torch.bool)
        return dict(inputs=dict(lr=lr, guidance=guidance), data_samples=sample)
