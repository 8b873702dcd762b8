"""Training curves: one panel per logged key against the iteration (PNG)."""
import os
import os.path as osp
from typing import Dict, List, Tuple


def plot_curves(curves: Dict[str, List[Tuple[int, float]]], out: str, title: str = '') -> str:
    """Write one panel per key of ``curves`` (key -> sorted (iteration, value) pairs, e.g. of
    :func:`groklst.analysis.training_log.read_curves`) to ``out`` (PNG); return ``out``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(curves), 1, figsize=(7, 2.6 * len(curves)), squeeze=False,
                             sharex=True)
    for ax, (key, pts) in zip(axes[:, 0], curves.items()):
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker='o' if len(xs) < 30 else None, ms=3)
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel('iteration')
    if title:
        axes[0, 0].set_title(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
