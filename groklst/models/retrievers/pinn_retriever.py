"""Physics-informed LST retrieval coupled to the thermal radiative transfer equation.

Xie, Jiang, Shen et al. (2025), "A physics-informed neural network for land surface temperature
retrieval ..." (arXiv:2504.07481): for a single thermal channel (Landsat-8 TIRS B10) a network
fed with the brightness temperature, the water-vapour column and the emissivity predicts the LST
and, through auxiliary outputs, the atmospheric transmittance and path radiances; training adds
to the data terms the residual of the radiative transfer equation (RTE)

    r = L_sen - [tau (eps B(Ts) + (1 - eps) L_down) + L_up]          (W m-2 sr-1 um-1)

(the clear-sky band RTE, e.g. Jiménez-Muñoz & Sobrino 2003, JGR 108(D22), Eq. 1) with ``B`` the
band-integrated Planck function over the sensor's spectral response
(:meth:`groklst.physics.planck.BandPlanck.radiance_torch`, differentiable) and ``L_sen`` the
band radiance of the observed BT, plus penalties keeping the outputs physical
(0 < tau <= 1, L_up, L_down >= 0, Ts in a plausible range).

Our implementation: a shared fully connected trunk with one linear head per quantity, all on
z-scored values (statistics of the training split), the losses below summed by MMEngine:

- ``loss_lst``: MSE of the z-scored LST;
- ``loss_aux``: mean MSE of the z-scored tau, L_up, L_down (supervised by the simulation);
- ``loss_rte``: ``lambda_rte * mean((r / B'(T_ref))^2) / sigma_LST^2``: the residual converted to
  an LST-equivalent error in K by the band Planck slope at the mean training LST, then put on
  the same z-scale as ``loss_lst``;
- ``loss_bounds``: ``lambda_bounds`` times the mean squared hinge violations of the bounds, each
  divided by the quantity's training std.
"""
from typing import Dict, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.heads.regression import RegressionHead
from groklst.models.layers.activation import ActCfg
from groklst.physics.planck import BandPlanck
from groklst.physics.rte import rte_forward_torch
from groklst.registry import MODELS

from .base_retriever import RegressionMLP, Retriever

__all__ = ['band_planck', 'rte_residual', 'PINNRetriever']


def band_planck(sensor: str, band: Union[int, str]) -> BandPlanck:
    """Band Planck function of ``band`` (index or name, e.g. ``'B10'``) of a sensor of
    :data:`groklst.physics.srf.SENSORS`.

    Raises:
        ValueError: unknown band index / name.
        KeyError: unknown sensor (from :func:`groklst.physics.srf.get_sensor`).
    """
    from groklst.physics.srf import get_sensor
    sen = get_sensor(sensor)
    if isinstance(band, str) and not band.isdigit():
        if band not in sen.band_names:
            raise ValueError(f'sensor {sensor!r} has bands {sen.band_names}, not {band!r}')
        return sen.band(band).planck
    idx = int(band)
    if not 0 <= idx < len(sen.bands):
        raise ValueError(f'sensor {sensor!r} has {len(sen.bands)} bands; index {idx} invalid')
    return sen.bands[idx].planck


def rte_residual(band: BandPlanck, sensor_radiance: torch.Tensor, lst: torch.Tensor,
                 emissivity: torch.Tensor, tau: torch.Tensor, l_up: torch.Tensor,
                 l_down: torch.Tensor) -> torch.Tensor:
    """RTE residual ``L_sen - tau (eps B(Ts) + (1 - eps) L_down) - L_up`` (differentiable).

    Args:
        band: band Planck function (SRF-integrated).
        sensor_radiance: at-sensor band radiance L_sen (B,), W m-2 sr-1 um-1.
        lst: surface temperature Ts (B,), K (clamped to the band table, 150-450 K).
        emissivity: band emissivity (B,).
        tau: band transmittance (B,).
        l_up, l_down: path and downwelling radiance (B,), W m-2 sr-1 um-1.

    Returns:
        torch.Tensor: residual (B,), W m-2 sr-1 um-1 (0 for a consistent sample).
    """
    return sensor_radiance - rte_forward_torch(band, lst, emissivity, tau, l_up, l_down)


@MODELS.register_module()
class PINNRetriever(Retriever):
    """RTE-coupled physics-informed retriever (Xie et al. 2025, arXiv:2504.07481).

    Args:
        input_names: features; must contain ``bt_name`` and ``emissivity_name`` (used by the
            RTE term in physical units), e.g. ``['bt:0', 'wvc', 'lse:0', 'view_angle']``.
        target_names: ``[lst, tau, l_up, l_down]`` names in this order, default
            ``['lst', 'tau:0', 'l_up:0', 'l_down:0']``.
        sensor, band: the thermal band of ``bt_name`` (SRF for the band Planck function).
        bt_name, emissivity_name: input names of the observed BT (K) and the band emissivity.
        hidden_sizes, act_cfg, dropout: the shared trunk (:class:`RegressionMLP`).
        lambda_rte: weight of the RTE residual term (0 disables it: a multi-output MLP).
        lambda_aux: weight of the supervised tau / L_up / L_down term.
        lambda_bounds: weight of the physical-bounds penalty.
        lst_range: plausible LST range in K for the bounds penalty.
        norm, loss, data_preprocessor: see :class:`Retriever` (``target_weights`` unused).

    Raises:
        ValueError: ``target_names`` not 4 names, BT / emissivity not among the inputs,
            negative weights or a reversed ``lst_range``.
    """

    paper = ('Xie, Jiang, Shen et al., '
             'mechanism-learning coupled single-channel LST retrieval, arXiv:2504.07481, 2025')

    def __init__(self, input_names: Sequence[str],
                 target_names: Sequence[str] = ('lst', 'tau:0', 'l_up:0', 'l_down:0'),
                 sensor: str = 'landsat8_tirs', band: Union[int, str] = 0,
                 bt_name: str = 'bt:0', emissivity_name: str = 'lse:0',
                 hidden_sizes: Sequence[int] = (64, 64), act_cfg: ActCfg = 'ReLU',
                 dropout: float = 0.0, lambda_rte: float = 1.0, lambda_aux: float = 1.0,
                 lambda_bounds: float = 1.0, lst_range: Tuple[float, float] = (200.0, 350.0),
                 **kwargs) -> None:
        kwargs.pop('target_weights', None)
        super().__init__(input_names, target_names, **kwargs)
        if self.out_features != 4:
            raise ValueError(f'PINNRetriever needs 4 targets [lst, tau, l_up, l_down], got '
                             f'{self.target_names}')
        for what, name in (('bt_name', bt_name), ('emissivity_name', emissivity_name)):
            if name not in self.input_names:
                raise ValueError(f'{what} {name!r} is not among the inputs {self.input_names}')
        if min(lambda_rte, lambda_aux, lambda_bounds) < 0:
            raise ValueError('loss weights must be >= 0, got '
                             f'{(lambda_rte, lambda_aux, lambda_bounds)}')
        if not lst_range[0] < lst_range[1]:
            raise ValueError(f'lst_range must be (low, high) K with low < high, got {lst_range}')
        self.bt_name, self.emissivity_name = bt_name, emissivity_name
        self.band = band_planck(sensor, band)
        self.lambda_rte, self.lambda_aux = float(lambda_rte), float(lambda_aux)
        self.lambda_bounds = float(lambda_bounds)
        self.lst_range = (float(lst_range[0]), float(lst_range[1]))
        self.trunk = RegressionMLP(self.in_features, 1, hidden_sizes, act_cfg, dropout).body
        width = int(hidden_sizes[-1]) if len(hidden_sizes) else self.in_features
        self.heads = nn.ModuleDict({k: RegressionHead(width, 1)
                                    for k in ('lst', 'tau', 'l_up', 'l_down')})

    def forward_normalized(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) z-scored features -> (B, 4) z-scored [LST, tau, L_up, L_down]."""
        h = self.trunk(z)
        return torch.cat([self.heads[k](h) for k in ('lst', 'tau', 'l_up', 'l_down')], dim=1)

    def rte_terms(self, x: torch.Tensor, y_phys: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Physics terms for physical inputs (B, F) and physical predictions (B, 4).

        Returns:
            dict: ``residual`` (B,) W m-2 sr-1 um-1, ``residual_k`` (B,) the residual divided
            by the band Planck slope at the mean training LST (K), ``bounds`` (B,) the summed
            squared hinge violations in units of each quantity's training std.
        """
        lst, tau, l_up, l_down = y_phys.unbind(dim=1)
        bt = self.column(x, self.bt_name)
        eps = self.column(x, self.emissivity_name)
        l_sen = self.band.radiance_torch(bt)
        res = rte_residual(self.band, l_sen, lst, eps, tau, l_up, l_down)
        t_ref = self.target_mean[:1].detach()
        # dB/dT at the mean training LST (central difference over 1 K), W m-2 sr-1 um-1 K-1
        slope = self.band.radiance_torch(t_ref + 0.5) - self.band.radiance_torch(t_ref - 0.5)
        std = self.target_std
        lo, hi = self.lst_range
        bounds = ((F.relu(lo - lst) + F.relu(lst - hi)) / std[0]) ** 2 + \
            ((F.relu(-tau) + F.relu(tau - 1.0)) / std[1]) ** 2 + \
            (F.relu(-l_up) / std[2]) ** 2 + (F.relu(-l_down) / std[3]) ** 2
        return dict(residual=res, residual_k=res / slope, bounds=bounds)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Data, auxiliary, RTE and bounds terms (see the module docstring)."""
        z_pred = self.forward_normalized(self.normalize_inputs(x))
        z_gt = self.normalize_targets(y.to(z_pred))
        per = F.mse_loss(z_pred, z_gt, reduction='none').mean(0)
        out = dict(loss_lst=per[0], loss_aux=self.lambda_aux * per[1:].mean())
        if self.lambda_rte > 0 or self.lambda_bounds > 0:
            terms = self.rte_terms(x, self.denormalize_targets(z_pred))
            out['loss_rte'] = self.lambda_rte * (terms['residual_k'] ** 2).mean() / \
                self.target_std[0] ** 2
            out['loss_bounds'] = self.lambda_bounds * terms['bounds'].mean()
        return out
