"""MMEngine metric of LST / LSE retrieval: pooled errors per target and by water-vapour bin.

Definitions in :mod:`groklst.evaluation.functional_retrieval` (RMSE, MAE, BIAS, PCC, R2 over
all test samples; RMSE / MAE / BIAS and counts per WVC bin, the humidity breakdown of
Xie et al. 2025, arXiv:2504.07481).
"""
import math
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from groklst.evaluation.functional_retrieval import (DEFAULT_WVC_BINS, binned_errors,
                                                     regression_metrics)
from groklst.registry import METRICS

__all__ = ['RetrievalMetric']


def _get(sample: Any, key: str) -> Any:
    if isinstance(sample, dict):
        if key not in sample:
            raise KeyError(f'data sample has no field {key!r} (has {sorted(sample)})')
        return sample[key]
    if not hasattr(sample, key):
        raise KeyError(f'data sample has no field {key!r}')
    return getattr(sample, key)


def _vec(value: Any) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.atleast_1d(np.asarray(value, dtype=np.float64))


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Pooled retrieval errors of every target, and per water-vapour bin.

    ``process`` reads from each data sample (dict or ``BaseDataElement``): ``pred_target`` and
    ``gt_target`` (T,) in physical units (K for LST), ``wvc`` (g cm-2) and the metainfo
    ``target_names`` (unless ``target_names`` is given here).

    ``compute_metrics`` returns, for each target ``t`` (e.g. ``lst``, ``tau:0``):
    ``t/RMSE, t/MAE, t/BIAS, t/PCC, t/R2, t/n`` and per WVC bin ``t/RMSE_wvc<lo>-<hi>``,
    ``t/MAE_wvc..``, ``t/BIAS_wvc..``, ``t/n_wvc..``. The first target's overall metrics are
    also reported unprefixed (``RMSE``, ``MAE``, ``BIAS``, ``PCC``, ``R2``), so the runtime's
    ``save_best='RMSE'`` selects on the primary target.

    Args:
        target_names: names of the T targets; default: from the samples' metainfo.
        wvc_bins: bin edges in g cm-2 (default 0-1-2-3-4-5-inf); ``None`` disables bins.
        binned_targets: targets that get the bins; default the first only (LST).
        collect_device, prefix, collect_dir: see :class:`mmengine.evaluator.BaseMetric`.

    Raises:
        KeyError: a sample without ``pred_target``, ``gt_target`` or ``wvc``.
        ValueError: prediction and reference of different lengths, or target names that do
            not match T.
    """

    default_prefix: Optional[str] = ''

    def __init__(self, target_names: Optional[Sequence[str]] = None,
                 wvc_bins: Optional[Sequence[float]] = DEFAULT_WVC_BINS,
                 binned_targets: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.target_names = list(target_names) if target_names is not None else None
        self.wvc_bins = None if wvc_bins is None else tuple(float(e) for e in wvc_bins)
        self.binned_targets = list(binned_targets) if binned_targets is not None else None

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep (pred (T,), gt (T,), wvc) of each sample (a few floats)."""
        for sample in data_samples:
            pred, gt = _vec(_get(sample, 'pred_target')), _vec(_get(sample, 'gt_target'))
            if pred.shape != gt.shape:
                raise ValueError(f'pred_target {pred.shape} and gt_target {gt.shape} differ')
            names = self.target_names
            if names is None:
                meta = sample.get('target_names') if isinstance(sample, dict) else \
                    sample.metainfo.get('target_names')
                names = list(meta) if meta is not None else \
                    [f'target{k}' for k in range(pred.size)]
            if len(names) != pred.size:
                raise ValueError(f'{pred.size} targets predicted but target_names has '
                                 f'{len(names)}: {names}')
            self.results.append(dict(pred=pred, gt=gt, wvc=float(_get(sample, 'wvc')),
                                     names=tuple(names)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Pool all samples and evaluate (keys in the class docstring)."""
        if not results:
            return {k: math.nan for k in ('RMSE', 'MAE', 'BIAS', 'PCC', 'R2')}
        names = results[0]['names']
        pred = np.stack([r['pred'] for r in results])
        gt = np.stack([r['gt'] for r in results])
        wvc = np.array([r['wvc'] for r in results])
        binned = self.binned_targets if self.binned_targets is not None else [names[0]]
        out: Dict[str, float] = {}
        for k, name in enumerate(names):
            overall = regression_metrics(pred[:, k], gt[:, k])
            if k == 0:
                out.update({m: v for m, v in overall.items() if m != 'n'})
            out.update({f'{name}/{m}': v for m, v in overall.items()})
            if self.wvc_bins is not None and name in binned:
                for label, row in binned_errors(pred[:, k], gt[:, k], wvc,
                                                self.wvc_bins).items():
                    for m, v in row.items():
                        out[f'{name}/{m}_wvc{label}'] = v
        return out
