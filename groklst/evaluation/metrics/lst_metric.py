"""MMEngine metric reporting RMSE, MAE, BIAS, CC and RSD of downscaled LST.

Protocol of Dai et al., GrokLST (IEEE TGRS 2025, arXiv:2409.19835) and its toolkit: every
metric is computed per image over the valid reference pixels and then averaged over images
(headline keys ``RMSE``, ``MAE``, ``BIAS``, ``CC``, ``RSD``). The same metrics over the pixels
of all images pooled together are reported as ``<NAME>_pooled``. Definitions:
:mod:`groklst.evaluation.functional`.
"""
import logging
import math
from typing import Any, Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from groklst.evaluation.functional import (METRIC_NAMES, merge_moments, metrics_from_moments,
                                           pixel_moments, valid_pixels)
from groklst.registry import METRICS

__all__ = ['LSTMetric', 'NoValidPixelsError']

_MISSING = object()


class NoValidPixelsError(ValueError):
    """An evaluation (validation or test) in which no image has a valid reference pixel: its
    metrics would be NaN, so nothing can be scored or selected."""


def _field(sample: Any, key: str, default: Any = _MISSING) -> Any:
    """Read ``key`` from a data sample given as a dict (MMEngine's ``to_dict``) or a
    :class:`~mmengine.structures.BaseDataElement`."""
    if isinstance(sample, dict):
        value = sample.get(key, default)
    else:
        value = getattr(sample, key, default)
    if value is _MISSING:
        raise KeyError(f'data sample has no field {key!r}')
    return value


@METRICS.register_module()
class LSTMetric(BaseMetric):
    """Per-image-mean and pooled RMSE / MAE / BIAS / CC / RSD of predicted HR LST.

    ``process`` reads from every data sample (dict or ``LSTDataSample``):
    ``pred_lst`` (1, H, W) and ``gt_lst`` (1, H, W) tensors in K, and ``gt_mask`` (1, H, W)
    bool (optional; all pixels when absent). Valid pixels: ``gt_mask`` True and both LSTs
    finite. Each image adds one small dict to ``self.results`` (its metrics and float64
    sufficient statistics), so distributed collection needs no pixel data.

    ``compute_metrics`` returns (floats, K for RMSE/MAE/BIAS, unitless for CC/RSD):

    - ``RMSE, MAE, BIAS, CC, RSD``: mean over images of the per-image metric (the paper's
      numbers). Images with fewer than ``min_valid_pixels`` valid pixels are skipped; an
      image whose CC/RSD is NaN (constant prediction or reference) is left out of that
      metric's mean only (a warning is logged).
    - ``RMSE_pooled, ..., RSD_pooled``: the metrics over the valid pixels of all images
      together (every image with >= 1 valid pixel contributes).
    - ``n_images`` (images in the per-image mean), ``n_skipped`` (images skipped),
      ``n_pixels`` (valid pixels pooled).

    Metrics are NaN when undefined (e.g. an image whose prediction is constant);
    :meth:`compute_metrics` never raises. :meth:`evaluate` (what the val and test loops call)
    raises :class:`NoValidPixelsError` when not one valid pixel was evaluated, on every rank:
    a NaN metric must neither be reported as a result nor take part in selecting the best
    checkpoint.

    Args:
        pred_key (str): prediction field. Defaults to ``'pred_lst'``.
        gt_key (str): reference field. Defaults to ``'gt_lst'``.
        mask_key (str | None): validity field; ``None`` uses all finite pixels.
            Defaults to ``'gt_mask'``.
        min_valid_pixels (int): minimum valid pixels for an image to enter the per-image
            mean; at least 2 (CC and RSD need two). Defaults to 2.
        collect_device, prefix, collect_dir: see :class:`mmengine.evaluator.BaseMetric`.
            Without ``prefix`` the keys are unprefixed (``'RMSE'``, not ``'x/RMSE'``).

    Raises:
        ValueError: ``min_valid_pixels < 2``; in ``process``, shape mismatch between
            prediction, reference and mask.
        KeyError: in ``process``, a sample without ``pred_key`` or ``gt_key``.
    """

    default_prefix: Optional[str] = ''

    def __init__(self,
                 pred_key: str = 'pred_lst',
                 gt_key: str = 'gt_lst',
                 mask_key: Optional[str] = 'gt_mask',
                 min_valid_pixels: int = 2,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        if int(min_valid_pixels) < 2:
            raise ValueError(f'min_valid_pixels must be >= 2, got {min_valid_pixels}')
        self.pred_key = pred_key
        self.gt_key = gt_key
        self.mask_key = mask_key
        self.min_valid_pixels = int(min_valid_pixels)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Reduce each sample of a batch to one small result (metrics + moments).

        Args:
            data_batch (Any): the loader batch (unused).
            data_samples (Sequence[dict | LSTDataSample]): model outputs with
                ``pred_lst``, ``gt_lst`` (1, H, W) in K and optionally ``gt_mask``.
        """
        for sample in data_samples:
            pred = _field(sample, self.pred_key)
            gt = _field(sample, self.gt_key)
            mask = _field(sample, self.mask_key, None) if self.mask_key else None
            p, r = valid_pixels(pred, gt, mask)
            moments = pixel_moments(p, r)
            metrics = None
            if p.size >= self.min_valid_pixels:
                per_image = metrics_from_moments(moments)
                metrics = tuple(per_image[name] for name in METRIC_NAMES)
            sample_id = _field(sample, 'sample_id', None)
            self.results.append(dict(
                sample_id=None if sample_id is None else str(sample_id),
                n_valid=int(p.size), moments=moments, metrics=metrics))

    def evaluate(self, size: int) -> Dict[str, float]:
        """Metrics of the processed samples of all ranks (:meth:`BaseMetric.evaluate`).

        Raises:
            NoValidPixelsError: the samples held no valid reference pixel at all (raised on
                every rank, after the results were shared, so distributed runs stop together).
        """
        n_samples = len(self.results)
        metrics = super().evaluate(size)
        if int(metrics.get(self._key('n_pixels'), 1)) == 0:
            raise NoValidPixelsError(
                f'LSTMetric: none of the {int(metrics.get(self._key("n_skipped"), 0))} evaluated '
                f'images ({n_samples} on this rank) has a valid reference pixel (gt_mask and a '
                'finite LST): every metric would be NaN. Check the LST unit (K), the '
                "loader's valid_range and the masks of the data")
        return metrics

    def _key(self, name: str) -> str:
        return f'{self.prefix}/{name}' if self.prefix else name

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average per-image metrics and evaluate the pooled statistics.

        Args:
            results (list[dict]): the per-image results of :meth:`process` from all ranks.

        Returns:
            dict[str, float]: keys as in the class docstring.
        """
        used = [res['metrics'] for res in results if res['metrics'] is not None]
        out: Dict[str, float] = {}
        for k, name in enumerate(METRIC_NAMES):
            values = [m[k] for m in used if not math.isnan(m[k])]
            if len(values) < len(used):
                print_log(f'LSTMetric: {len(used) - len(values)} image(s) with undefined '
                          f'{name} (constant field) left out of its per-image mean.',
                          logger='current', level=logging.WARNING)
            out[name] = math.fsum(values) / len(values) if values else math.nan
        pooled_moments = merge_moments(res['moments'] for res in results)
        for name, value in metrics_from_moments(pooled_moments).items():
            out[f'{name}_pooled'] = value
        out['n_images'] = len(used)
        out['n_skipped'] = len(results) - len(used)
        out['n_pixels'] = int(pooled_moments[0])
        if out['n_skipped']:
            print_log(f'LSTMetric: {out["n_skipped"]} image(s) with fewer than '
                      f'{self.min_valid_pixels} valid pixels skipped in the per-image means.',
                      logger='current', level=logging.WARNING)
        return out
