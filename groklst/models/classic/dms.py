"""Data Mining Sharpener (DMS): regression trees from all guidance bands to LST."""
import math
from typing import List, Optional, Sequence

import numpy as np
import torch

from groklst.models.classic.tsharp import (BandNameSharpener, RESIDUAL_MODES, add_lr_residual,
                                           block_cv, lr_validity, select_homogeneous)
from groklst.models.layers.resample import block_mean, interpolate_lr
from groklst.registry import MODELS


@MODELS.register_module()
class DMS(BandNameSharpener):
    """Data Mining Sharpener: global and moving-window regression trees, residual redistributed.

    Gao, F., Kustas, W. P., Anderson, M. C. (2012). "A Data Mining Approach for Sharpening
    Thermal Satellite Imagery over Land". Remote Sensing 4(11):3287-3319.

    Per scene, with G the K guidance bands:

    1. Samples (Gao et al. 2.2): G aggregated to LR (mean over s × s blocks) against the LR LST,
       on valid LR pixels with finite guidance; homogeneity CV = mean over bands of
       std / |mean| within the block; the ``sample_fraction`` of samples with the lowest CV
       are kept.
    2. Models (2.1): regression trees (scikit-learn ``DecisionTreeRegressor``, or a bagged
       ensemble ``BaggingRegressor`` of them) from G_LR to LST_LR. The paper uses Cubist
       rule-based trees; here leaves hold constants.
    3. Global and local models (2.3): one model on the whole scene (``max_leaf_nodes_global``
       leaves) and, per cell of ``window_size`` × ``window_size`` LR pixels, a local model fitted
       on the cell grown by ``window_extension`` · ``window_size`` on each side (moving window;
       ``max_leaf_nodes_local`` leaves, fewer rules than the global one). Both predict T_g,
       T_l at HR from G_HR; a cell with fewer than ``min_samples`` samples uses T_g only.
    4. Combination (2.3) by the LR residuals r = LST_LR − block mean(T) of each model:
       w_l = r_l⁻² / (r_l⁻² + r_g⁻²) = r_g² / (r_g² + r_l²) per LR pixel (0.5 where both
       are 0 or the LR pixel is invalid), upsampled nearest; T = w_l·T_l + (1 − w_l)·T_g.
    5. Residual redistribution (2.4): T_HR = T + upsample(LST_LR − block mean(T)) on valid LR
       pixels. With 'nearest' upsampling every HR block then averages exactly back to the LR
       observation.

    HR pixels with non-finite guidance get the LR LST of their block. Trees are fitted with a
    fixed ``random_state`` (reproducible outputs).

    Scene-level fit (:meth:`fit_scene`, used by the scene tools): the global model of step 3 is
    fitted once on the LR pixels of the whole scene (or a bounded random sample of them) and
    used for every tile; the moving-window local models stay local to the tile being sharpened.

    Inputs: LR LST (B, 1, h, w) in K, guidance (B, K, s·h, s·w) in physical units (reflectance,
    indices; the pipeline must not normalize it, the CV needs the physical band means);
    output (B, 1, s·h, s·w) in K.

    Args:
        scale: scale factor s.
        guidance_bands: band names in channel order, or None (only checked against the data).
        regressor: 'bagging' (ensemble of ``n_estimators`` trees, default) or 'tree'.
        n_estimators: trees in the bagged ensemble.
        max_leaf_nodes_global, max_leaf_nodes_local: leaves of the global / local trees.
        min_samples_leaf: fewest samples in a leaf.
        window_size: local cell size in LR pixels (0: global model only).
        window_extension: sampling window margin, as a fraction of ``window_size``.
        sample_fraction: fraction (0, 1] of usable LR samples, most homogeneous first.
        min_samples: fewest samples to fit a (global or local) model.
        residual: residual redistribution, 'nearest' (default), 'bicubic' or 'none'.
        random_state: seed of the trees and the bagging.

    Raises:
        ValueError: an unknown regressor or residual mode, a fraction outside (0, 1], a
            negative window size; at predict time the errors of :func:`check_lr_guidance`.
    """

    paper = ('Gao et al., "A Data Mining Approach for Sharpening Thermal Satellite Imagery over '
             'Land" (DMS), Remote Sens. 2012')

    def __init__(self, scale: int, guidance_bands: Optional[Sequence[str]] = None,
                 regressor: str = 'bagging', n_estimators: int = 10,
                 max_leaf_nodes_global: int = 30, max_leaf_nodes_local: int = 10,
                 min_samples_leaf: int = 5, window_size: int = 16,
                 window_extension: float = 0.25, sample_fraction: float = 0.8,
                 min_samples: int = 20, residual: str = 'nearest', random_state: int = 0,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 consistency: Optional[str] = None):
        super().__init__(scale=scale, guidance_bands=guidance_bands,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg,
                         consistency=consistency)
        if regressor not in ('bagging', 'tree'):
            raise ValueError(f"DMS regressor must be 'bagging' or 'tree', got {regressor!r}")
        if residual not in RESIDUAL_MODES:
            raise ValueError(f'residual must be one of {RESIDUAL_MODES}, got {residual!r}')
        if not 0 < sample_fraction <= 1:
            raise ValueError(f'sample_fraction must be in (0, 1], got {sample_fraction}')
        if window_size < 0 or window_extension < 0:
            raise ValueError(f'window_size and window_extension must be >= 0, got '
                             f'{window_size} and {window_extension}')
        self.regressor = regressor
        self.n_estimators = int(n_estimators)
        self.max_leaf_nodes_global = int(max_leaf_nodes_global)
        self.max_leaf_nodes_local = int(max_leaf_nodes_local)
        self.min_samples_leaf = int(min_samples_leaf)
        self.window_size = int(window_size)
        self.window_extension = float(window_extension)
        self.sample_fraction = float(sample_fraction)
        self.min_samples = max(int(min_samples), 2)
        self.residual = residual
        self.random_state = int(random_state)

    def _make_regressor(self, max_leaf_nodes: int):
        from sklearn.ensemble import BaggingRegressor
        from sklearn.tree import DecisionTreeRegressor
        tree = DecisionTreeRegressor(max_leaf_nodes=max_leaf_nodes,
                                     min_samples_leaf=self.min_samples_leaf,
                                     random_state=self.random_state)
        if self.regressor == 'tree':
            return tree
        return BaggingRegressor(estimator=tree, n_estimators=self.n_estimators,
                                random_state=self.random_state)

    def _fit_model(self, x_lr: np.ndarray, y_lr: np.ndarray, ok: np.ndarray, cv: np.ndarray,
                   max_leaf_nodes: int):
        """Regressor fitted on the homogeneous usable LR samples; None if too few."""
        sel = select_homogeneous(torch.from_numpy(ok), torch.from_numpy(cv),
                                 self.sample_fraction, self.min_samples).numpy()
        if sel.sum() < self.min_samples:
            return None
        return self._make_regressor(max_leaf_nodes).fit(x_lr[sel], y_lr[sel])

    def _fit_predict(self, x_lr: np.ndarray, y_lr: np.ndarray, ok: np.ndarray, cv: np.ndarray,
                     x_hr: np.ndarray, max_leaf_nodes: int) -> Optional[np.ndarray]:
        """Fit on the homogeneous usable LR samples, predict the HR rows; None if too few."""
        reg = self._fit_model(x_lr, y_lr, ok, cv, max_leaf_nodes)
        return None if reg is None else reg.predict(x_hr)

    @staticmethod
    def _lr_samples(lr: np.ndarray, valid: np.ndarray, x_lr: np.ndarray):
        """Usable LR samples: valid LR LST with finite aggregated guidance; (h, w) bool."""
        return valid & np.isfinite(x_lr).all(-1) & np.isfinite(lr)

    def scene_fit_bands(self, num_bands: int,
                        band_names: Optional[Sequence[str]] = None) -> List[int]:
        """Every guidance band (the trees use them all)."""
        return list(range(num_bands))

    def fit_scene(self, lr: torch.Tensor, guidance: torch.Tensor,
                  lr_mask: Optional[torch.Tensor] = None) -> dict:
        """Global model of a scene: LR (1, 1, h, w) in K, guidance (1, K, s·h, s·w), LR mask or
        None. Returns ``{'model': fitted regressor or None, 'mean': mean usable LR LST}`` (the
        mean replaces the model when there are fewer than ``min_samples`` samples).

        Raises:
            ValueError: not one scene.
        """
        if lr.shape[0] != 1 or guidance.shape[0] != 1:
            raise ValueError(f'DMS.fit_scene expects one scene, got LR {tuple(lr.shape)} and '
                             f'guidance {tuple(guidance.shape)}')
        s = self.scale
        g64 = guidance.detach().double()
        x_lr = block_mean(g64, s)[0].permute(1, 2, 0).cpu().numpy()
        cv = block_cv(g64, s).mean(dim=1)[0].cpu().numpy()
        y = lr.detach().double()[0, 0].cpu().numpy()
        ok = self._lr_samples(y, lr_validity(lr, lr_mask)[0, 0].cpu().numpy(), x_lr)
        k = x_lr.shape[-1]
        reg = self._fit_model(x_lr.reshape(-1, k), y.reshape(-1), ok.reshape(-1),
                              cv.reshape(-1), self.max_leaf_nodes_global)
        return dict(model=reg, mean=float(y[ok].mean()) if ok.any() else float('nan'))

    def _windows(self, h: int, w: int):
        """(cell, sampling window) LR slices of the moving-window local models."""
        ws = self.window_size
        ext = int(math.ceil(self.window_extension * ws))
        for r0 in range(0, h, ws):
            for c0 in range(0, w, ws):
                r1, c1 = min(r0 + ws, h), min(c0 + ws, w)
                cell = (slice(r0, r1), slice(c0, c1))
                win = (slice(max(r0 - ext, 0), min(r1 + ext, h)),
                       slice(max(c0 - ext, 0), min(c1 + ext, w)))
                yield cell, win

    def _sharpen_one(self, lr: np.ndarray, valid: np.ndarray, x_lr: np.ndarray,
                     cv: np.ndarray, g_hr: np.ndarray) -> np.ndarray:
        """Combined (global + local) HR prediction (H, W) of one scene, before the residual
        redistribution. lr, valid, cv: (h, w); x_lr: (h, w, K); g_hr: (H, W, K)."""
        s = self.scale
        h, w = lr.shape
        k = x_lr.shape[-1]
        ok = self._lr_samples(lr, valid, x_lr)
        hr_finite = np.isfinite(g_hr).all(-1)
        g_hr = np.where(hr_finite[..., None], g_hr, 0.0)
        state = self._scene_state
        if state is None:
            glob = self._fit_predict(x_lr.reshape(-1, k), lr.reshape(-1), ok.reshape(-1),
                                     cv.reshape(-1), g_hr.reshape(-1, k),
                                     self.max_leaf_nodes_global)
            mean = lr[ok].mean() if ok.any() else np.nan
        else:  # the global model of the whole scene
            glob = None if state['model'] is None else \
                state['model'].predict(g_hr.reshape(-1, k))
            mean = state['mean']
        if glob is None:  # too few samples: the scene mean (then the residual does the rest)
            glob = np.full(h * s * w * s, mean)
        glob = glob.reshape(h * s, w * s)
        if self.window_size <= 0:
            return glob
        local = glob.copy()
        has_local = np.zeros((h, w), dtype=bool)
        for (cr, cc), (wr, wc) in self._windows(h, w):
            hr_rows = slice(cr.start * s, cr.stop * s)
            hr_cols = slice(cc.start * s, cc.stop * s)
            pred = self._fit_predict(x_lr[wr, wc].reshape(-1, k), lr[wr, wc].reshape(-1),
                                     ok[wr, wc].reshape(-1), cv[wr, wc].reshape(-1),
                                     g_hr[hr_rows, hr_cols].reshape(-1, k),
                                     self.max_leaf_nodes_local)
            if pred is not None:
                local[hr_rows, hr_cols] = pred.reshape(local[hr_rows, hr_cols].shape)
                has_local[cr, cc] = True
        # Inverse squared LR residual weights (Gao et al., 2012, Sect. 2.3).
        agg = lambda t: t.reshape(h, s, w, s).mean(axis=(1, 3))  # noqa: E731
        r_g2 = (lr - agg(glob)) ** 2
        r_l2 = (lr - agg(local)) ** 2
        with np.errstate(invalid='ignore', divide='ignore'):
            w_l = np.where(r_g2 + r_l2 > 0, r_g2 / (r_g2 + r_l2), 0.5)
        w_l = np.where(ok, w_l, 0.5)
        w_l = np.where(has_local, w_l, 0.0)
        w_hr = np.repeat(np.repeat(w_l, s, axis=0), s, axis=1)
        return w_hr * local + (1 - w_hr) * glob

    def sharpen(self, lr: torch.Tensor, guidance: Optional[torch.Tensor],
                lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """HR LST (B, 1, s·h, s·w) in K; see the class docstring."""
        s = self.scale
        lr64 = lr.detach().double()
        g64 = guidance.detach().double()
        valid = lr_validity(lr, lr_mask)
        x_lr = block_mean(g64, s)
        cv = block_cv(g64, s).mean(dim=1)
        combined = []
        for b in range(lr.shape[0]):
            comb = self._sharpen_one(
                lr64[b, 0].cpu().numpy(), valid[b, 0].cpu().numpy(),
                x_lr[b].permute(1, 2, 0).cpu().numpy(), cv[b].cpu().numpy(),
                g64[b].permute(1, 2, 0).cpu().numpy())
            combined.append(torch.from_numpy(comb))
        pred = torch.stack(combined)[:, None].to(lr64.device)
        residual = lr64 - block_mean(pred, s)
        out = add_lr_residual(pred, residual, valid & torch.isfinite(residual), s, self.residual)
        fallback = interpolate_lr(lr64, s, 'nearest')
        hr_bad = ~torch.isfinite(g64).all(dim=1, keepdim=True)
        out = torch.where(torch.isfinite(out) & ~hr_bad, out, fallback)
        return out.to(lr.dtype)
