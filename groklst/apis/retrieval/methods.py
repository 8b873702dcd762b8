"""Per-pixel retrieval methods for images: the classical algorithms and the learned retrievers.

A method maps named per-pixel *inputs* to output bands. Input names are those a scene can
provide (:data:`IMAGE_INPUTS`): ``bt:<band>`` (brightness temperature, K), ``lse:<band>``
(emissivity), ``radiance:<band>`` (W m-2 sr-1 um-1), ``wvc`` (g cm-2) and ``view_angle``
(degrees). Every method has

* ``name``, ``outputs`` (band names, first ``'lst'``) and ``units``;
* ``required_inputs``: the inputs it reads;
* ``check_scalars(scalars)``: runs the method on one pixel built from scene-wide scalar inputs
  (e.g. ``wvc=9`` for the single-channel algorithm), so that an out-of-range scalar fails before
  any pixel is read;
* ``__call__(inputs)`` with ``{name: (N,) float64}`` -> ``(outputs (T, N) float64, flags (N,)
  uint8)``: the flags are the bits of :data:`QA_BITS` the method sets (the learned methods flag
  pixels outside their training domain; classical methods set none).

Learned methods (:class:`LearnedMethod`) wrap any registered retrieval model (``Retriever``,
possibly inside a ``FinetuneModel``): the model's ``input_names`` (the grammar of
:mod:`groklst.datasets.retrieval_dataset`, e.g. ``bt:B10``, ``wvc``, ``lse:0``, ``view_angle``,
``dbt:B10-B11``, ``wvc*dbt:B10-B11``) are assembled from the inputs by name with the dataset's
own :func:`~groklst.datasets.retrieval_dataset.compute_features`, band indices resolved with the
bands of the sensor the model was trained on. The *training domain* is the [min, max] of every
input feature and of every required image input over the training split of the model's config
(:func:`training_domain`, the dataset's train-split statistics; the view angle's is the
simulator's sampling interval, ``view_angle_range``); a pixel outside it is flagged, never
silently extrapolated, and a prediction outside the training range of a target is flagged too.
"""
from __future__ import annotations

import copy
import math
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...physics.algorithms.single_channel import single_channel_jm
from ...physics.algorithms.split_window import split_window

__all__ = ['IMAGE_INPUTS', 'QA_NO_DATA', 'QA_BT', 'QA_WVC', 'QA_LSE', 'QA_VIEW', 'QA_FEATURE',
           'QA_TARGET', 'QA_MASKED', 'QA_OUT_OF_DOMAIN', 'QA_BITS', 'domain_bit',
           'SplitWindowMethod', 'SingleChannelMethod', 'LearnedMethod', 'required_inputs',
           'assemble_features', 'training_domain', 'build_retrieval_model', 'target_units']

#: Per-pixel inputs an image can provide: band fields (``<field>:<band name>``) and scalars.
IMAGE_INPUTS = dict(band_fields=('bt', 'lse', 'radiance'), scalars=('wvc', 'view_angle'))

#: QA band bits (uint8) written next to every retrieved image.
QA_NO_DATA = 1      # no retrieval: an input is fill / NaN / not covered, or a non-finite result
QA_BT = 2           # a brightness temperature outside the model's training range
QA_WVC = 4          # the water-vapour column outside the training range
QA_LSE = 8          # an emissivity outside the training range
QA_VIEW = 16        # the view zenith angle outside the training range
QA_FEATURE = 32     # an engineered feature (e.g. dBT, WVC x dBT) outside the training range
QA_TARGET = 64      # a prediction outside the training range of its target
QA_MASKED = 128     # masked by the scene's quality band (cloud, cirrus, shadow, fill) or BTD
#: Bits meaning "an input lies outside the model's training domain".
QA_OUT_OF_DOMAIN = QA_BT | QA_WVC | QA_LSE | QA_VIEW | QA_FEATURE
#: Bit -> description (the QA band's documentation, also written to the log).
QA_BITS = {QA_NO_DATA: 'no retrieval (input fill / NaN / not covered, or non-finite result)',
           QA_BT: 'brightness temperature outside the training range',
           QA_WVC: 'water-vapour column outside the training range',
           QA_LSE: 'emissivity outside the training range',
           QA_VIEW: 'view zenith angle outside the training range',
           QA_FEATURE: 'engineered feature (e.g. dBT, WVC x dBT) outside the training range',
           QA_TARGET: 'prediction outside the training range of its target',
           QA_MASKED: 'masked by the quality band (cloud, cirrus, shadow, fill) or BT10 - BT11'}


def domain_bit(name: str) -> int:
    """The QA bit of a feature or input name outside its training range."""
    if name.split(':')[0] in ('bt', 'bt_clean', 'radiance'):
        return QA_BT
    if name == 'wvc':
        return QA_WVC
    if name.startswith('lse:'):
        return QA_LSE
    if name in ('view_angle', 'sec_view'):
        return QA_VIEW
    return QA_FEATURE


def target_units(name: str) -> Optional[str]:
    """GeoTIFF unit string of a target band (``'K'`` for temperatures, radiance units for
    radiances, None for unitless emissivity / transmittance)."""
    field = name.split(':')[0]
    if field in ('lst', 't_air', 'bt', 'bt_clean'):
        return 'K'
    if field in ('radiance', 'l_up', 'l_down'):
        return 'W m-2 sr-1 um-1'
    return None


# ---------------------------------------------------------------------------------------------
# Classical algorithms
# ---------------------------------------------------------------------------------------------

class _PixelMethod:
    """Common parts of the per-pixel methods (see the module docstring)."""

    name = ''
    outputs: List[str] = ['lst']
    required_inputs: List[str] = []
    domain: Optional[dict] = None

    @property
    def units(self) -> List[Optional[str]]:
        return [target_units(n) for n in self.outputs]

    def check_scalars(self, scalars: Dict[str, float]) -> None:
        """Run on one pixel of typical values, with the scene-wide ``scalars`` in place.

        Raises:
            ValueError: a scalar outside the range the method accepts (its own message).
        """
        typical = {'wvc': 2.0, 'view_angle': 0.0}
        probe = {}
        for name in self.required_inputs:
            field = name.split(':')[0]
            value = scalars.get(name, typical.get(name, {'bt': 300.0, 'lse': 0.97,
                                                         'radiance': 9.0}.get(field)))
            probe[name] = np.array([float(value)])
        self(probe)


class SplitWindowMethod(_PixelMethod):
    """Landsat-8 TIRS split window (:func:`~groklst.physics.algorithms.split_window.
    split_window`; ``'jm2014'``: Jiménez-Muñoz et al. 2014, or ``'du2015'``) on per-pixel BT10,
    BT11 (K), emissivities and water-vapour column (g cm-2).

    Args:
        coefficients: ``'jm2014'`` or ``'du2015'``.
        du2015_table: A Du-style coefficient table (with ``'du2015'``), or None.
    """

    name = 'split_window'
    required_inputs = ['bt:B10', 'bt:B11', 'lse:B10', 'lse:B11', 'wvc']

    def __init__(self, coefficients: str = 'jm2014', du2015_table=None) -> None:
        self.coefficients = coefficients
        self.du2015_table = du2015_table
        self.description = f'split window ({coefficients})'

    def __call__(self, x: Dict[str, np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
        lst = split_window(x['bt:B10'], x['bt:B11'], x['lse:B10'], x['lse:B11'], x['wvc'],
                           self.coefficients, self.du2015_table)
        return lst[None], np.zeros(lst.shape, np.uint8)


class SingleChannelMethod(_PixelMethod):
    """Generalized single-channel LST of TIRS B10 with the Jiménez-Muñoz et al. 2014 psi(WVC)
    fits (:func:`~groklst.physics.algorithms.single_channel.single_channel_jm`; WVC 0-8
    g cm-2)."""

    name = 'single_channel'
    required_inputs = ['radiance:B10', 'bt:B10', 'lse:B10', 'wvc']
    description = 'single channel (JM 2014 psi)'

    def __call__(self, x: Dict[str, np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
        lst = single_channel_jm(x['radiance:B10'], x['lse:B10'], x['wvc'], 'landsat8_b10',
                                brightness_temperature=x['bt:B10'])
        return lst[None], np.zeros(lst.shape, np.uint8)


# ---------------------------------------------------------------------------------------------
# Learned retrievers
# ---------------------------------------------------------------------------------------------

class _Recorder(dict):
    """A dict that remembers which keys were read (to find the fields a feature uses)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def _image_sim(values: Dict[str, np.ndarray], bands: Sequence[str], n: int) -> dict:
    """A simulation-like dict of ``n`` pixels for ``compute_features``: band fields (n, B)
    with NaN for the bands not given, scalar fields (n,) where given."""
    sim = {'manifest': {'bands': list(bands)}}
    for field in IMAGE_INPUTS['band_fields']:
        arr = np.full((n, len(bands)), np.nan)
        for j, band in enumerate(bands):
            key = f'{field}:{band}'
            if key in values:
                arr[:, j] = values[key]
        sim[field] = arr
    for name in IMAGE_INPUTS['scalars']:
        if name in values:
            sim[name] = np.asarray(values[name], dtype=np.float64)
    return sim


def required_inputs(input_names: Sequence[str], bands: Sequence[str]) -> List[str]:
    """The image inputs (``bt:B10``, ``wvc``, ...) that a model's features read.

    Args:
        input_names: Feature names of the model (dataset grammar).
        bands: Band names of the sensor the model was trained on (resolve ``bt:0`` etc.).

    Returns:
        Sorted input names.

    Raises:
        ValueError: a feature that needs a quantity an image cannot provide (e.g. ``tau:0``,
            ``t_air``), naming it and what images provide.
    """
    from ...datasets.retrieval_dataset import compute_features
    ones = {f'{f}:{b}': np.ones(1) for f in IMAGE_INPUTS['band_fields'] for b in bands}
    ones.update({s: np.full(1, 10.0) for s in IMAGE_INPUTS['scalars']})
    need = set()
    for name in input_names:
        rec = _Recorder(_image_sim(ones, bands, 1))
        try:
            compute_features(rec, [name])
        except KeyError as exc:
            raise ValueError(
                f'feature {name!r} needs {exc.args[0]!r}, which an image does not provide; '
                f'images provide {", ".join(IMAGE_INPUTS["band_fields"])} per band and '
                f'{", ".join(IMAGE_INPUTS["scalars"])}') from None
        for field in rec.read:
            if field in IMAGE_INPUTS['scalars']:
                need.add(field)
            elif field in IMAGE_INPUTS['band_fields']:
                for band in bands:  # is this band read? NaN there makes the feature NaN
                    probe = dict(ones)
                    probe[f'{field}:{band}'] = np.full(1, np.nan)
                    if not np.isfinite(compute_features(_image_sim(probe, bands, 1),
                                                        [name])).all():
                        need.add(f'{field}:{band}')
    return sorted(need)


def assemble_features(values: Dict[str, np.ndarray], input_names: Sequence[str],
                      bands: Sequence[str]) -> np.ndarray:
    """The model's feature matrix of N pixels from their named image inputs.

    Args:
        values: ``{input name: (N,) array}`` (``bt:B10`` K, ``wvc`` g cm-2, ...).
        input_names: Feature names (dataset grammar, e.g. ``'wvc*dbt:B10-B11'``).
        bands: Sensor band names (for ``bt:0``-style indices).

    Returns:
        float64 (N, F), NaN where an input is NaN.
    """
    from ...datasets.retrieval_dataset import compute_features
    n = len(next(iter(values.values()))) if values else 0
    return compute_features(_image_sim(values, bands, n), list(input_names))


def training_domain(dataset_cfg: dict, input_names: Sequence[str],
                    target_names: Sequence[str]) -> dict:
    """[min, max] of the features, targets and image inputs over a config's training split.

    The statistics are the dataset's own train-split ``norm_stats`` (same filters, calibration
    bias and split as training) of the model's features and of the image inputs they are made
    of (:func:`required_inputs`, e.g. ``bt:B10`` behind ``dbt:B10-B11``). The view angle (and
    ``sec_view``) instead take the simulator's sampling interval ``view_angle_range`` (uniform
    draws reach its ends only in the limit, so the sample minimum of 0.003 deg would flag every
    nadir pixel).

    Args:
        dataset_cfg: ``RetrievalDataset`` config of the training split (``train_dataloader.
            dataset`` of the model's config).
        input_names, target_names: The model's features and targets.

    Returns:
        ``{'inputs': {name: [lo, hi]}, 'targets': {name: [lo, hi]}, 'n_train': N,
        'sensor': str, 'bands': [...]}``.

    Raises:
        ValueError: features an image cannot provide; the errors of building the dataset
            (unknown names, empty split...).
    """
    from ...datasets.retrieval_dataset import load_or_simulate
    from ...registry import DATASETS
    from ...utils import register_all_modules
    register_all_modules()
    cfg = copy.deepcopy(dict(dataset_cfg))
    sim = load_or_simulate(cfg['simulation'], cfg.get('cache_dir', 'data/simulated'))
    bands = list(sim['manifest']['bands'])
    names = list(dict.fromkeys(list(input_names) + required_inputs(input_names, bands)))
    cfg.update(inputs=names, targets=list(target_names), split='train')
    cfg.pop('test_mode', None)
    ds = DATASETS.build(cfg)
    ds.full_init()
    stats = ds.norm_stats
    lo_a, hi_a = sim['manifest']['config']['view_angle_range']
    out = {'inputs': {}, 'targets': {}, 'n_train': stats['n_train'],
           'sensor': sim['manifest']['sensor'], 'bands': bands}
    for group in ('inputs', 'targets'):
        for name, s in stats[group].items():
            out[group][name] = [s['min'], s['max']]
    if 'view_angle' in out['inputs']:
        out['inputs']['view_angle'] = [float(lo_a), float(hi_a)]
    if 'sec_view' in out['inputs']:
        out['inputs']['sec_view'] = [1 / math.cos(math.radians(lo_a)),
                                     1 / math.cos(math.radians(hi_a))]
    return out


def _strip_norm(cfg):
    """A model config with every ``norm=dict(dataset=...)`` set to None (the statistics come
    from the checkpoint's buffers; nothing is simulated to build the model)."""
    if isinstance(cfg, dict):
        out = {k: _strip_norm(v) for k, v in cfg.items()}
        if isinstance(out.get('norm'), dict):
            out['norm'] = None
        return out
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_strip_norm(v) for v in cfg)
    return cfg


def build_retrieval_model(model_cfg: dict, checkpoint: str):
    """A retrieval model from its config and checkpoint, in eval mode on the CPU.

    Normalization statistics are the checkpoint's buffers (the config's ``norm=dict(dataset=...)``
    is not rebuilt); the weights load strictly through the safe loader
    (:mod:`groklst.utils.checkpoint`).

    Returns:
        ``(model, retriever)``: the built module (maybe a ``FinetuneModel``) and the
        ``Retriever`` inside it (for ``input_names`` / ``target_names``).

    Raises:
        FileNotFoundError: no checkpoint file.
        ValueError: the config builds no retrieval model; checkpoint errors
            (:class:`~groklst.utils.checkpoint.CheckpointError`, a ``ValueError``).
    """
    import os.path as osp

    from mmengine.runner.checkpoint import load_checkpoint

    from ...models.retrievers.base_retriever import Retriever
    from ...registry import MODELS
    from ...utils import register_all_modules
    register_all_modules()
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {checkpoint}')
    model = MODELS.build(_strip_norm(copy.deepcopy(dict(model_cfg))))
    retriever = next((m for m in model.modules() if isinstance(m, Retriever)), None)
    if retriever is None:
        raise ValueError(f'{type(model).__name__} is not a retrieval model (no Retriever '
                         'inside it); expected a config of configs/retrieval/')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True, logger='silent')
    return model.eval(), retriever


class LearnedMethod(_PixelMethod):
    """A trained retrieval model applied per pixel (module docstring).

    Args:
        model: The built model in eval mode (``model(x, mode='tensor')`` -> (N, T)).
        input_names, target_names: The model's features and targets.
        bands: Band names of the training sensor (``bt:0`` -> ``bt:B10``...).
        domain: :func:`training_domain` output (``inputs`` / ``targets`` ranges), or None to
            flag nothing.
        name: Method name for messages (e.g. ``'mlp'``).
        batch: Pixels per forward pass.

    Raises:
        ValueError: features that an image cannot provide (:func:`required_inputs`).
    """

    def __init__(self, model, input_names: Sequence[str], target_names: Sequence[str],
                 bands: Sequence[str], domain: Optional[dict] = None, name: str = 'learned',
                 batch: int = 65536, description: str = '') -> None:
        self.model = model
        self.input_names = list(input_names)
        self.target_names = list(target_names)
        self.bands = list(bands)
        self.name = name
        self.batch = int(batch)
        self.description = description or name
        self.required_inputs = required_inputs(self.input_names, self.bands)
        self.outputs = [self._band_name(t) for t in self.target_names]
        self.domain = domain
        self._checks: List[Tuple[str, float, float, int]] = []
        if domain is not None:
            for name_, (lo, hi) in domain['inputs'].items():
                if name_ in self.input_names or self._band_name(name_) in self.required_inputs:
                    self._checks.append((name_, lo, hi, domain_bit(name_)))

    def _band_name(self, name: str) -> str:
        """``lse:0`` -> ``lse:B10`` with the sensor's band names (other names unchanged)."""
        field, _, band = name.partition(':')
        if band.isdigit() and int(band) < len(self.bands):
            return f'{field}:{self.bands[int(band)]}'
        return name

    def domain_flags(self, x: np.ndarray, values: Dict[str, np.ndarray]) -> np.ndarray:
        """(N,) uint8 out-of-domain bits of the features ``x`` (N, F) and the image inputs."""
        flags = np.zeros(x.shape[0], np.uint8)
        for name, lo, hi, bit in self._checks:
            if name in self.input_names:
                v = x[:, self.input_names.index(name)]
            else:
                v = values[self._band_name(name)]
            flags |= np.where((v < lo) | (v > hi), bit, 0).astype(np.uint8)
        return flags

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Targets (N, T) float64 of features (N, F), in batches of ``batch`` pixels."""
        import torch
        out = np.empty((x.shape[0], len(self.target_names)))
        with torch.no_grad():
            for i in range(0, x.shape[0], self.batch):
                xb = torch.as_tensor(x[i:i + self.batch], dtype=torch.float32)
                out[i:i + self.batch] = self.model(xb, mode='tensor').double().numpy()
        return out

    def __call__(self, values: Dict[str, np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
        x = assemble_features(values, self.input_names, self.bands)
        flags = self.domain_flags(x, values) if self.domain is not None else \
            np.zeros(x.shape[0], np.uint8)
        ok = np.isfinite(x).all(axis=1)
        y = np.full((x.shape[0], len(self.target_names)), np.nan)
        if ok.any():
            y[ok] = self.predict(x[ok])
        if self.domain is not None:
            for k, t in enumerate(self.target_names):
                lo, hi = self.domain['targets'][t]
                flags |= np.where((y[:, k] < lo) | (y[:, k] > hi), QA_TARGET, 0).astype(
                    np.uint8)
        return y.T, flags

    def describe_domain(self) -> List[str]:
        """One line per checked range, e.g. ``'wvc 0.12..9.71'``."""
        return [f'{n} {lo:.4g}..{hi:.4g}' for n, lo, hi, _ in self._checks]


def learned_method_from_config(config, checkpoint: str, name: str = '',
                               domain: Optional[dict] = None,
                               log: Callable[[str], None] = print) -> LearnedMethod:
    """A :class:`LearnedMethod` from a config (path or ``mmengine.Config``) and a checkpoint.

    The training domain is ``domain`` when given (shipped weights carry theirs), else computed
    from the config's training dataset (:func:`training_domain`; simulates it once and caches
    it under the dataset's ``cache_dir`` if needed).

    Raises:
        FileNotFoundError: config or checkpoint missing.
        ValueError: not a retrieval config; checkpoint mismatch; features an image cannot
            provide.
    """
    import os.path as osp

    from mmengine.config import Config
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(f'config file {config} not found')
        cfg = Config.fromfile(config)
    else:
        cfg = config
    if 'model' not in cfg:
        raise ValueError(f'config {getattr(cfg, "filename", "")} has no model')
    model, retriever = build_retrieval_model(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict')
                                             else dict(cfg.model), checkpoint)
    if domain is None:
        ds_cfg = cfg.get('train_dataloader', {}).get('dataset')
        if not ds_cfg:
            raise ValueError(f'config {getattr(cfg, "filename", "")} has no '
                             'train_dataloader.dataset to take the training domain from')
        ds_cfg = ds_cfg.to_dict() if hasattr(ds_cfg, 'to_dict') else dict(ds_cfg)
        log(f'{name or "model"}: training domain from the train split of '
            f'{getattr(cfg, "filename", None) or "the config"}')
        domain = training_domain(ds_cfg, retriever.input_names, retriever.target_names)
    return LearnedMethod(model, retriever.input_names, retriever.target_names,
                         domain['bands'], domain, name=name or type(retriever).__name__,
                         description=f'{name or type(retriever).__name__} '
                                     f'({osp.basename(checkpoint)})')
