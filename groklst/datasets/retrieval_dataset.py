"""Tabular LST/LSE retrieval samples from the radiative-transfer simulator.

One sample is one simulated pixel (:func:`groklst.simulation.simulate`): at-sensor brightness
temperatures per band, water-vapour column, view angle, emissivities, atmospheric quantities and
the LST. A dataset selects *input features* and *targets* by name, a deterministic train/val/test
split, and optional domain filters, so that teacher/student and source/target domains are plain
config entries. See ``groklst/models/retrievers/README.md`` for the sample contract.

Feature / target names (``b`` = band index or band name, e.g. ``bt:0`` or ``bt:B10``):

- scalar fields ``lst`` (K), ``wvc`` (g cm-2), ``view_angle`` (deg), ``t_air`` (K);
- band fields ``<field>:<b>`` with field in ``bt``, ``bt_clean`` (K), ``radiance``, ``l_up``,
  ``l_down`` (W m-2 sr-1 um-1), ``lse``, ``tau`` (unitless);
- band differences ``d<field>`` (band 0 minus band 1) or ``d<field>:<i>-<j>``, e.g. ``dbt``
  (the split-window BT difference, K) or ``dlse:0-1``;
- band means ``<field>_mean``, e.g. ``lse_mean``;
- ``sec_view`` = 1 / cos(view angle);
- products of the above joined by ``*``, e.g. ``wvc*dbt`` or ``dbt*dbt``.
"""
import hashlib
import json
import os
import os.path as osp
import re
from dataclasses import asdict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from groklst.registry import DATASETS

__all__ = ['RetrievalDataset', 'parse_feature', 'compute_features', 'simulation_cache_path',
           'load_or_simulate', 'apply_bt_bias']

SCALAR_FIELDS = ('lst', 'wvc', 'view_angle', 't_air')
BAND_FIELDS = ('bt', 'bt_clean', 'radiance', 'l_up', 'l_down', 'lse', 'tau')
SPLITS = ('train', 'val', 'test', 'all')

_DIFF = re.compile(r'^d(?P<field>[a-z_]+?)(?::(?P<i>\w+)-(?P<j>\w+))?$')
_MEAN = re.compile(r'^(?P<field>[a-z_]+)_mean$')
_BAND = re.compile(r'^(?P<field>[a-z_]+):(?P<b>\w+)$')

# Simulations already read in this process, by absolute path (train/val/test share one read).
_SIM_CACHE: Dict[str, dict] = {}


def _band_index(sim: dict, token: str, name: str) -> int:
    """Band index of ``token`` (an integer or a band name of the simulation's manifest)."""
    nb = sim['bt'].shape[1]
    if re.fullmatch(r'\d+', token):
        idx = int(token)
    else:
        bands = list(sim.get('manifest', {}).get('bands', []))
        if token not in bands:
            raise ValueError(f'feature {name!r}: band {token!r} is neither an index nor one of '
                             f'the simulation bands {bands}')
        idx = bands.index(token)
    if not 0 <= idx < nb:
        raise ValueError(f'feature {name!r}: band index {idx} outside 0..{nb - 1}')
    return idx


def _band_field(sim: dict, field: str, name: str) -> np.ndarray:
    if field not in BAND_FIELDS:
        raise ValueError(f'feature {name!r}: {field!r} is not a band field; expected one of '
                         f'{BAND_FIELDS}')
    return np.asarray(sim[field], dtype=np.float64)


def _atom(sim: dict, name: str) -> np.ndarray:
    """One factor of a feature name (see the module docstring), float64 (N,)."""
    if name in SCALAR_FIELDS:
        return np.asarray(sim[name], dtype=np.float64)
    if name == 'sec_view':
        return 1.0 / np.cos(np.deg2rad(np.asarray(sim['view_angle'], dtype=np.float64)))
    m = _BAND.match(name)
    if m:
        arr = _band_field(sim, m['field'], name)
        return arr[:, _band_index(sim, m['b'], name)]
    m = _MEAN.match(name)
    if m:
        return _band_field(sim, m['field'], name).mean(axis=1)
    m = _DIFF.match(name)
    if m and m['field'] in BAND_FIELDS:
        arr = _band_field(sim, m['field'], name)
        i = _band_index(sim, m['i'] or '0', name)
        j = _band_index(sim, m['j'] or '1', name)
        return arr[:, i] - arr[:, j]
    raise ValueError(f'unknown feature {name!r}; expected a scalar field {SCALAR_FIELDS}, '
                     f"'<band field>:<band>' with band fields {BAND_FIELDS}, 'd<field>[:i-j]', "
                     f"'<field>_mean', 'sec_view' or a product 'a*b'")


def parse_feature(sim: dict, name: str) -> np.ndarray:
    """Values of one named feature for every sample of a simulation.

    Args:
        sim: simulation dict (:func:`groklst.simulation.load_simulation`), arrays (N,) / (N, B).
        name: feature name (grammar in the module docstring), e.g. ``'bt:0'``, ``'wvc*dbt'``.

    Returns:
        np.ndarray: float64 (N,) in the field's physical unit (product units multiply).

    Raises:
        ValueError: unknown field, band out of range or unknown band name.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f'feature names must be non-empty strings, got {name!r}')
    out = None
    for factor in name.split('*'):
        value = _atom(sim, factor.strip())
        out = value if out is None else out * value
    return out


def compute_features(sim: dict, names: Sequence[str]) -> np.ndarray:
    """Stack named features into a float64 (N, len(names)) matrix (see :func:`parse_feature`)."""
    if len(names) == 0:
        raise ValueError('at least one feature name is needed')
    return np.stack([parse_feature(sim, n) for n in names], axis=1)


def simulation_cache_path(sim_cfg: dict, cache_dir: str) -> str:
    """Cache file (``.npz``) of a simulation config: ``<cache_dir>/<sensor>_<n>_<hash>.npz``.

    The hash covers every field of :class:`groklst.simulation.SimulationConfig` (defaults
    filled in), the SHA-1 of the lookup and emissivity tables it reads
    (:func:`groklst.simulation.table_digests`) and the simulator's ``SIMULATOR_VERSION``, so
    two configs share a file only when they would simulate the same samples: a regenerated
    table or a changed simulator gets new cache files.
    """
    from groklst.simulation.simulator import (SIMULATOR_VERSION, SimulationConfig,
                                              table_digests)
    cfg = SimulationConfig(**sim_cfg)
    fields = asdict(cfg)
    fields['surface_classes'] = list(cfg.surface_classes)
    fields.update(table_digests(cfg), simulator_version=SIMULATOR_VERSION)
    key = json.dumps(fields, sort_keys=True, default=str)
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return osp.join(cache_dir, f'{cfg.sensor}_{cfg.n_samples}_{digest}.npz')


def load_or_simulate(simulation: Union[str, dict], cache_dir: str = 'data/simulated') -> dict:
    """Load a simulation ``.npz``, or simulate from a config dict once and cache it.

    Args:
        simulation: path of a ``.npz`` written by :func:`groklst.simulation.save_simulation`,
            or keyword arguments of :class:`groklst.simulation.SimulationConfig`
            (e.g. ``dict(sensor='landsat8_tirs', n_samples=20000, seed=0)``).
        cache_dir: folder of the cached simulations (config dicts only).

    Returns:
        dict of arrays (+ ``manifest``), read once per process and path.

    Raises:
        FileNotFoundError: a path that does not exist.
        TypeError: ``simulation`` is neither a str nor a dict.
    """
    from groklst.simulation import SimulationConfig, load_simulation, save_simulation, simulate
    if isinstance(simulation, str):
        path = simulation if simulation.endswith('.npz') else simulation + '.npz'
        if not osp.isfile(path):
            raise FileNotFoundError(f'simulation file {path} not found; write it with '
                                    'tools/retrieval/simulate.py or give a simulation config dict')
    elif isinstance(simulation, dict):
        path = simulation_cache_path(simulation, cache_dir)
        if not osp.isfile(path) and osp.abspath(path) not in _SIM_CACHE:
            result = simulate(SimulationConfig(**simulation))
            # write under a private name first, then rename: concurrent builders never read
            # a half-written file
            tmp = f'{path[:-4]}.tmp{os.getpid()}'
            npz, js = save_simulation(result, tmp)
            os.replace(js, path[:-4] + '.manifest.json')
            os.replace(npz, path)
    else:
        raise TypeError(f'simulation must be a .npz path or a SimulationConfig dict, got '
                        f'{type(simulation).__name__}')
    key = osp.abspath(path)
    if key not in _SIM_CACHE:
        _SIM_CACHE[key] = load_simulation(path)
    return _SIM_CACHE[key]


def apply_bt_bias(sim: dict, bt_bias: Optional[Dict[str, float]]) -> dict:
    """The simulation with an additive calibration bias on some brightness temperatures.

    Args:
        sim: simulation dict (``bt`` (N, B) K and ``manifest['bands']``).
        bt_bias: ``{band name: K}`` added to the (noisy) BTs of those bands, e.g. a sensor
            calibration offset ``{'B11': 0.8, 'B12': 0.3}``; features derived from BTs
            (``dbt``, ``wvc*dbt``) follow. None or empty: ``sim`` itself.

    Returns:
        a shallow copy of ``sim`` with a biased float64 ``bt`` (other arrays shared).

    Raises:
        ValueError: a band name that is not among the simulation's bands.
    """
    if not bt_bias:
        return sim
    bands = list(sim.get('manifest', {}).get('bands', []))
    unknown = sorted(set(bt_bias) - set(bands))
    if unknown:
        raise ValueError(f'bt_bias bands {unknown} not among the simulation bands {bands}')
    bt = np.array(sim['bt'], dtype=np.float64)
    for name, offset in bt_bias.items():
        bt[:, bands.index(name)] += float(offset)
    return dict(sim, bt=bt)


def _stats(values: np.ndarray, names: Sequence[str]) -> Dict[str, Dict[str, float]]:
    out = {}
    for k, name in enumerate(names):
        col = values[:, k]
        std = float(col.std(ddof=1)) if col.size > 1 else 0.0
        out[name] = dict(mean=float(col.mean()), std=std, min=float(col.min()),
                         max=float(col.max()), count=int(col.size))
    return out


@DATASETS.register_module()
class RetrievalDataset(BaseDataset):
    """Simulated retrieval samples: named input features -> named targets.

    Rows are split first (a permutation of all N simulated samples drawn with ``split_seed``,
    cut by ``split_ratios`` into train/val/test), then filtered; therefore the splits of two
    datasets built on one simulation with different filters (e.g. a humid target domain and a
    dry source domain) never share a sample.

    Normalization statistics (mean, sample std, min, max per feature and target) are always
    computed on the **train** split of the same filters, whatever ``split`` is, and stored in
    :attr:`norm_stats` (also in ``metainfo['norm_stats']``; :meth:`save_norm_stats` writes them
    as JSON). Items are not normalized: the retriever owns normalization.

    Each item is ``dict(inputs=Tensor (F,) float32 in physical units, data_samples=
    BaseDataElement(gt_target=Tensor (T,), wvc=float g cm-2, sample_idx=int))``, with the
    feature / target names in the element's metainfo (``input_names``, ``target_names``).

    Args:
        simulation: path of a simulation ``.npz`` or a ``SimulationConfig`` keyword dict
            (simulated once with its fixed seed and cached in ``cache_dir``).
        inputs: input feature names (grammar in the module docstring).
        targets: target names, default ``['lst']``.
        split: 'train', 'val', 'test' or 'all'.
        split_ratios: (train, val, test) fractions, summing to 1.
        split_seed: seed of the split permutation.
        profile_domain: keep only samples whose atmospheric profile is in this domain of
            :data:`groklst.simulation.PROFILE_DOMAINS` (needs the LUT of the simulation).
        exclude_profile_domains: drop samples whose profile is in any of these domains
            (e.g. a source domain without the target's atmospheres).
        surface_classes: keep only these surface classes (e.g. ``['soil', 'vegetation']``).
        bt_bias: ``{band name: K}`` calibration bias added to those brightness temperatures
            before the features are computed (:func:`apply_bt_bias`); the normalization
            statistics see the biased values too.
        wvc_range: keep samples with ``lo <= wvc < hi`` (g cm-2).
        max_samples: keep at most this many samples of the split (the first ones of the random
            permutation, so a deterministic random subset).
        cache_dir: where simulated configs are cached.
        lut_path: LUT used for ``profile_domain`` (default: the committed table).

    Raises:
        ValueError: unknown split, ratios that are not three non-negative numbers summing to 1,
            unknown feature/target names, unknown profile domain, surface class or bias band,
            non-finite
            features, or an empty split after filtering (the filters are named).
    """

    METAINFO = dict(dataset_name='RetrievalDataset')

    def __init__(self, simulation: Union[str, dict], inputs: Sequence[str],
                 targets: Sequence[str] = ('lst',), split: str = 'train',
                 split_ratios: Sequence[float] = (0.8, 0.1, 0.1), split_seed: int = 0,
                 profile_domain: Optional[str] = None,
                 surface_classes: Optional[Sequence[str]] = None,
                 wvc_range: Optional[Sequence[float]] = None,
                 max_samples: Optional[int] = None,
                 cache_dir: str = 'data/simulated', lut_path: Optional[str] = None,
                 exclude_profile_domains: Optional[Sequence[str]] = None,
                 bt_bias: Optional[Dict[str, float]] = None,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        ratios = np.asarray(split_ratios, dtype=np.float64)
        if ratios.shape != (3,) or np.any(ratios < 0) or abs(ratios.sum() - 1) > 1e-6:
            raise ValueError(f'split_ratios must be 3 non-negative fractions summing to 1, got '
                             f'{list(split_ratios)}')
        if isinstance(inputs, str) or isinstance(targets, str):
            raise ValueError('inputs and targets must be lists of names, not one string')
        self.simulation = simulation
        self.input_names = list(inputs)
        self.target_names = list(targets)
        self.split = split
        self.split_ratios = tuple(float(r) for r in ratios)
        self.split_seed = int(split_seed)
        self.profile_domain = profile_domain
        self.surface_classes = list(surface_classes) if surface_classes else None
        self.wvc_range = tuple(wvc_range) if wvc_range is not None else None
        self.max_samples = max_samples
        self.cache_dir = cache_dir
        self.lut_path = lut_path
        if isinstance(exclude_profile_domains, str):
            raise ValueError('exclude_profile_domains must be a list of domain names, not one '
                             'string')
        self.exclude_profile_domains = list(exclude_profile_domains or [])
        self.bt_bias = dict(bt_bias) if bt_bias else None
        if kwargs.get('pipeline'):
            raise ValueError('RetrievalDataset packs its own samples; pipeline must be empty')
        kwargs.pop('pipeline', None)
        kwargs.setdefault('serialize_data', False)
        super().__init__(pipeline=[], **kwargs)

    # -- construction ------------------------------------------------------------------------
    def _split_rows(self, n: int, split: str) -> np.ndarray:
        perm = np.random.default_rng(self.split_seed).permutation(n)
        if split == 'all':
            return perm
        cuts = np.floor(np.cumsum(self.split_ratios) * n + 0.5).astype(int)
        lo = {'train': 0, 'val': cuts[0], 'test': cuts[1]}[split]
        hi = {'train': cuts[0], 'val': cuts[1], 'test': n}[split]
        return perm[lo:hi]

    def _keep(self, sim: dict) -> np.ndarray:
        """Boolean (N,) mask of the domain filters."""
        n = sim['lst'].shape[0]
        keep = np.ones(n, dtype=bool)
        if self.profile_domain is not None or self.exclude_profile_domains:
            from groklst.physics.atmosphere import load_lut
            from groklst.simulation import profile_domain_mask
            lut_path = self.lut_path or sim.get('manifest', {}).get('config', {}).get('lut_path')
            lut = load_lut(lut_path)
            profile = sim['profile_index']
            if self.profile_domain is not None:
                keep &= profile_domain_mask(lut, self.profile_domain)[profile]
            for domain in self.exclude_profile_domains:
                keep &= ~profile_domain_mask(lut, domain)[profile]
        if self.surface_classes is not None:
            known = set(np.unique(sim['surface_class']).tolist())
            from groklst.simulation.simulator import NATURAL_CLASSES
            allowed = known | set(NATURAL_CLASSES) | {'manmade'}
            bad = sorted(set(self.surface_classes) - allowed)
            if bad:
                raise ValueError(f'unknown surface classes {bad}; expected among '
                                 f'{sorted(allowed)}')
            keep &= np.isin(sim['surface_class'], self.surface_classes)
        if self.wvc_range is not None:
            lo, hi = (float(v) for v in self.wvc_range)
            keep &= (sim['wvc'] >= lo) & (sim['wvc'] < hi)
        return keep

    def _rows(self, sim: dict, keep: np.ndarray, split: str) -> np.ndarray:
        rows = self._split_rows(keep.size, split)
        rows = rows[keep[rows]]
        if self.max_samples is not None:
            rows = rows[:int(self.max_samples)]
        return rows

    def full_init(self) -> None:
        """Read (or simulate) the samples, cut the split, compute train statistics."""
        if self._fully_initialized:
            return
        sim = apply_bt_bias(load_or_simulate(self.simulation, self.cache_dir), self.bt_bias)
        keep = self._keep(sim)
        x_all = compute_features(sim, self.input_names)
        y_all = compute_features(sim, self.target_names)
        self.rows = self._rows(sim, keep, self.split)
        if self.rows.size == 0:
            raise ValueError(
                f'split {self.split!r} is empty after the filters profile_domain='
                f'{self.profile_domain!r}, exclude_profile_domains='
                f'{self.exclude_profile_domains}, surface_classes={self.surface_classes}, '
                f'wvc_range={self.wvc_range} ({int(keep.sum())} of {keep.size} samples pass '
                'the filters)')
        train_rows = self._rows(sim, keep, 'train')
        if train_rows.size < 2:
            raise ValueError(f'the train split has {train_rows.size} sample(s) after the '
                             'filters; normalization statistics need at least 2')
        for what, arr, names in (('input', x_all, self.input_names),
                                 ('target', y_all, self.target_names)):
            bad = ~np.isfinite(arr[self.rows]).all(axis=0)
            if bad.any():
                raise ValueError(f'non-finite {what} values in {np.array(names)[bad].tolist()}')
        self.norm_stats = dict(inputs=_stats(x_all[train_rows], self.input_names),
                               targets=_stats(y_all[train_rows], self.target_names),
                               n_train=int(train_rows.size))
        self.x = torch.as_tensor(x_all[self.rows], dtype=torch.float32)
        self.y = torch.as_tensor(y_all[self.rows], dtype=torch.float32)
        self.wvc = sim['wvc'][self.rows].astype(np.float64)
        self._metainfo.update(input_names=self.input_names, target_names=self.target_names,
                              norm_stats=self.norm_stats,
                              sensor=sim.get('manifest', {}).get('sensor'),
                              bands=sim.get('manifest', {}).get('bands'))
        self._sample_meta = dict(input_names=self.input_names, target_names=self.target_names)
        self.data_list = []
        self._fully_initialized = True

    def load_data_list(self) -> List[dict]:
        """Unused: samples live in arrays (see :meth:`full_init`)."""
        return []

    # -- access ------------------------------------------------------------------------------
    def __len__(self) -> int:
        if not self._fully_initialized:
            self.full_init()
        return int(self.rows.size)

    def get_data_info(self, idx: int) -> dict:
        """Raw record of item ``idx``: ``inputs`` (F,), ``targets`` (T,), ``wvc``, row index."""
        return dict(inputs=self.x[idx], targets=self.y[idx], wvc=float(self.wvc[idx]),
                    sample_idx=int(self.rows[idx]))

    def prepare_data(self, idx: int) -> dict:
        """Packed item: ``dict(inputs=(F,), data_samples=BaseDataElement)``."""
        sample = BaseDataElement(metainfo=self._sample_meta)
        sample.gt_target = self.y[idx]
        sample.wvc = float(self.wvc[idx])
        sample.sample_idx = int(self.rows[idx])
        return dict(inputs=self.x[idx], data_samples=sample)

    def arrays(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The whole split at once: inputs (N, F), targets (N, T) float32 and wvc (N,) float64
        (for non-Runner experiments and baselines)."""
        if not self._fully_initialized:
            self.full_init()
        return self.x.numpy(), self.y.numpy(), self.wvc

    def save_norm_stats(self, path: str) -> str:
        """Write :attr:`norm_stats` (train-split statistics) as JSON; returns the path."""
        if not self._fully_initialized:
            self.full_init()
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(self.norm_stats, f, indent=2)
        return path
