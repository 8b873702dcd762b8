"""LR | prediction | reference | error panels with colour bars in Kelvin."""
import os
import os.path as osp
from typing import Optional

import numpy as np


def save_lst_panel(path: str, lr: np.ndarray, pred: np.ndarray, ref: Optional[np.ndarray] = None,
                   ref_mask: Optional[np.ndarray] = None, lr_mask: Optional[np.ndarray] = None,
                   title: str = '') -> str:
    """Write a PNG with LR LST (h, w), prediction (H, W), reference (H, W) and error maps.

    LR, prediction and reference share one colour scale (K, 2–98 % of valid values); the error
    (prediction − reference, K) uses a symmetric diverging scale. Invalid pixels are blank.

    Returns:
        The written path.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    lr = np.where(lr_mask, lr, np.nan) if lr_mask is not None else lr
    maps = [('LR', lr), ('prediction', pred)]
    if ref is not None:
        ref_v = np.where(ref_mask, ref, np.nan) if ref_mask is not None else ref
        maps += [('reference', ref_v)]
    vals = np.concatenate([m[np.isfinite(m)].ravel() for _, m in maps])
    vmin, vmax = (np.percentile(vals, [2, 98]) if vals.size else (0.0, 1.0))
    ncol = len(maps) + (ref is not None)
    fig, axes = plt.subplots(1, ncol, figsize=(3.2 * ncol, 3.2), constrained_layout=True)
    for ax, (name, m) in zip(axes, maps):
        im = ax.imshow(m, cmap='inferno', vmin=vmin, vmax=vmax)
        ax.set_title(name)
        ax.axis('off')
        fig.colorbar(im, ax=ax, shrink=0.8, label='K')
    if ref is not None:
        err = pred - ref_v
        lim = np.nanpercentile(np.abs(err), 98) if np.isfinite(err).any() else 1.0
        im = axes[-1].imshow(err, cmap='RdBu_r', vmin=-lim, vmax=lim)
        axes[-1].set_title('prediction − reference')
        axes[-1].axis('off')
        fig.colorbar(im, ax=axes[-1], shrink=0.8, label='K')
    if title:
        fig.suptitle(title)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
