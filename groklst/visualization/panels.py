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


def save_map_grid(path: str, panels: list, ncols: int = 4, title: str = '') -> str:
    """Write a PNG grid of maps (row by row), each with its colour bar.

    Args:
        path: Output PNG (its folder is created).
        panels: dicts with ``title``, ``data`` (h, w) and ``kind``: ``'lst'`` (K, inferno,
            one scale for all such panels: 2-98 % of their valid values), ``'diff'`` (K,
            diverging, symmetric, one scale: the 98th percentile of |values|), ``'class'``
            (integer classes 0.., ``labels`` naming them, optional ``colors``, -1 blank) or
            ``'mask'`` (1 black, 0 light grey, NaN blank).
        ncols: Panels per row.
        title: Figure title.

    Returns:
        The written path.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    def finite(kind):
        vals = [np.asarray(p['data'], float) for p in panels if p['kind'] == kind]
        vals = np.concatenate([v[np.isfinite(v)] for v in vals]) if vals else np.array([])
        return vals

    lst = finite('lst')
    lst_lim = np.percentile(lst, [2, 98]) if lst.size else (0.0, 1.0)
    diff = finite('diff')
    diff_lim = float(np.percentile(np.abs(diff), 98)) if diff.size else 1.0
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.0 * nrows),
                             constrained_layout=True, squeeze=False)
    for ax in axes.ravel():
        ax.axis('off')
    for ax, p in zip(axes.ravel(), panels):
        data = np.asarray(p['data'])
        if p['kind'] == 'lst':
            im = ax.imshow(data, cmap='inferno', vmin=lst_lim[0], vmax=lst_lim[1])
            fig.colorbar(im, ax=ax, shrink=0.8, label='K')
        elif p['kind'] == 'diff':
            im = ax.imshow(data, cmap='RdBu_r', vmin=-max(diff_lim, 1e-6),
                           vmax=max(diff_lim, 1e-6))
            fig.colorbar(im, ax=ax, shrink=0.8, label='K')
        elif p['kind'] == 'class':
            labels = p.get('labels') or []
            colors = p.get('colors') or [matplotlib.colormaps['tab10'](i)
                                         for i in range(max(len(labels), 1))]
            cmap = matplotlib.colors.ListedColormap(colors)
            im = ax.imshow(np.ma.masked_less(data, 0), cmap=cmap, vmin=-0.5,
                           vmax=len(labels) - 0.5, interpolation='nearest')
            bar = fig.colorbar(im, ax=ax, shrink=0.8, ticks=range(len(labels)))
            bar.ax.set_yticklabels(labels)
        else:
            ax.imshow(data.astype(float), cmap='Greys', vmin=-0.3, vmax=1,
                      interpolation='nearest')
        ax.set_title(p['title'])
    if title:
        fig.suptitle(title)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
