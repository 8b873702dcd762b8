"""Shipped pretrained retrieval weights (``data/weights/retrieval/``): export, registry, loading.

Each shipped model is a weights-only checkpoint (``{'state_dict', 'meta'}``, no optimizer state:
kB to a few hundred kB) of a committed config, trained with ``tools/train.py`` and exported with
``tools/retrieval/export_weights.py`` (:func:`export_weights`), which records in
``manifest.json``, under the method name (:data:`SHIPPED_METHODS`):

* ``config`` (relative to the repository), ``checkpoint`` (file name), its ``sha256`` and size;
* ``command``: the commands that made it;
* ``test``: the metrics of the exported weights on the config's test split (per target: RMSE,
  MAE, BIAS, PCC, R2 in the target's unit, and ``n``; :func:`evaluate_test_split`);
* ``domain``: the training domain (:func:`~.methods.training_domain`), which the retrieval flags
  pixels against without re-simulating anything.

:func:`load_shipped_method` checks the file's SHA-256 against the manifest before loading it.
"""
from __future__ import annotations

import hashlib
import json
import os
import os.path as osp
from typing import Callable, Dict, Optional

from ...fileio.json_io import write_json
from .methods import LearnedMethod, build_retrieval_model, training_domain

__all__ = ['SHIPPED_METHODS', 'repo_root', 'weights_dir', 'load_manifest', 'shipped_entry',
           'shipped_entry_for_config', 'load_shipped_method', 'evaluate_test_split',
           'export_weights', 'sha256_of']

#: Shipped retrievers: Landsat-8 B10 MLP and RTE-coupled PINN, a Landsat-8 B10/B11 SFTL source
#: DNN, the ASTER TIR AK-KD teacher (BT10-14 -> LST).
SHIPPED_METHODS = ('mlp', 'pinn', 'sftl', 'akkd_teacher')
MANIFEST = 'manifest.json'


def repo_root() -> str:
    """The repository (the folder holding ``groklst/``, ``configs/`` and ``data/``)."""
    return osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def weights_dir() -> str:
    """``<repository>/data/weights/retrieval``."""
    return osp.join(repo_root(), 'data', 'weights', 'retrieval')


def sha256_of(path: str) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(folder: Optional[str] = None) -> Dict[str, dict]:
    """``{method name: entry}`` of the shipped weights (empty when there is no manifest)."""
    path = osp.join(folder or weights_dir(), MANIFEST)
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def shipped_entry(name: str, folder: Optional[str] = None) -> dict:
    """The manifest entry of a shipped method.

    Raises:
        ValueError: no shipped weights of that name (the message lists the shipped ones).
    """
    manifest = load_manifest(folder)
    if name not in manifest:
        where = osp.join(folder or weights_dir(), MANIFEST)
        raise ValueError(f'no shipped weights {name!r} in {where}; shipped: '
                         f'{sorted(manifest) or "none"}')
    return manifest[name]


def _config_key(config: str) -> str:
    path = osp.abspath(config)
    root = repo_root()
    return osp.relpath(path, root) if path.startswith(root + os.sep) else path


def shipped_entry_for_config(config: str, folder: Optional[str] = None) -> Optional[dict]:
    """The manifest entry made from ``config`` (a path), or None."""
    key = _config_key(str(config))
    for entry in load_manifest(folder).values():
        if entry['config'] == key:
            return entry
    return None


def _method(config, checkpoint: str, domain: dict, name: str, description: str
            ) -> LearnedMethod:
    from mmengine.config import Config
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model, retriever = build_retrieval_model(cfg.model.to_dict(), checkpoint)
    return LearnedMethod(model, retriever.input_names, retriever.target_names,
                         domain['bands'], domain, name=name, description=description)


def load_shipped_method(name: str, log: Callable[[str], None] = print,
                        folder: Optional[str] = None) -> LearnedMethod:
    """The :class:`~.methods.LearnedMethod` of shipped weights, with their training domain.

    Raises:
        ValueError: unknown name; the file's SHA-256 differs from the manifest's (a damaged or
            replaced file); checkpoint errors.
        FileNotFoundError: the checkpoint or its config is missing.
    """
    entry = shipped_entry(name, folder)
    path = osp.join(folder or weights_dir(), entry['checkpoint'])
    if not osp.isfile(path):
        raise FileNotFoundError(f'shipped checkpoint not found: {path}')
    digest = sha256_of(path)
    if digest != entry['sha256']:
        raise ValueError(f'{path}: SHA-256 {digest[:12]}... differs from the manifest\'s '
                         f'{entry["sha256"][:12]}...: the file is damaged or was replaced')
    config = osp.join(repo_root(), entry['config'])
    if not osp.isfile(config):
        raise FileNotFoundError(f'config of shipped weights {name!r} not found: {config}')
    t = entry['test'][entry['target_names'][0]]
    log(f'{name}: shipped weights {entry["checkpoint"]} of {entry["config"]} (test split: '
        f'RMSE {t["RMSE"]:.3f}, MAE {t["MAE"]:.3f} on {t["n"]} samples)')
    return _method(config, path, entry['domain'], name,
                   f'{name} ({entry["config"]}, shipped weights)')


def evaluate_test_split(config, checkpoint: str) -> Dict[str, Dict[str, float]]:
    """Metrics of a retrieval checkpoint on its config's test split.

    The features are the test dataset's (``test_dataloader.dataset``; simulated once and cached
    under the dataset's ``cache_dir``), predicted in float32 like the Runner's test loop, scored
    by :func:`~groklst.evaluation.functional_retrieval.regression_metrics` (the functions of
    ``RetrievalMetric``).

    Returns:
        ``{target name: {'RMSE', 'MAE', 'BIAS', 'PCC', 'R2', 'n'}}``.
    """
    from mmengine.config import Config

    from ...evaluation.functional_retrieval import regression_metrics
    from ...registry import DATASETS
    from ...utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    ds = DATASETS.build(cfg.test_dataloader.dataset.to_dict())
    x, y, _ = ds.arrays()
    model, retriever = build_retrieval_model(cfg.model.to_dict(), checkpoint)
    import torch
    with torch.no_grad():
        pred = model(torch.as_tensor(x), mode='tensor').numpy()
    return {t: {k: (int(v) if k == 'n' else float(v))
                for k, v in regression_metrics(pred[:, i], y[:, i]).items()}
            for i, t in enumerate(retriever.target_names)}


def export_weights(config: str, checkpoint: str, name: str, out_dir: Optional[str] = None,
                   command: str = '', log: Callable[[str], None] = print) -> dict:
    """Write a weights-only copy of a trained retrieval checkpoint and its manifest entry.

    Args:
        config: The retrieval config (path) the checkpoint was trained with.
        checkpoint: The training checkpoint (e.g. ``best_RMSE_iter_1000.pth``).
        name: Method name, one of :data:`SHIPPED_METHODS` (or another for tests).
        out_dir: Destination folder (default :func:`weights_dir`); created.
        command: The commands that made the checkpoint (recorded).

    Returns:
        The manifest entry (also written to ``out_dir/manifest.json``).

    Raises:
        FileNotFoundError, ValueError: config / checkpoint missing or mismatched.
    """
    import torch
    from mmengine.config import Config
    out_dir = out_dir or weights_dir()
    os.makedirs(out_dir, exist_ok=True)
    cfg = Config.fromfile(config)
    model, retriever = build_retrieval_model(cfg.model.to_dict(), checkpoint)
    stem = osp.splitext(osp.basename(config))[0]
    path = osp.join(out_dir, f'{stem}.pth')
    meta = dict(config=_config_key(config), source_checkpoint=osp.basename(checkpoint),
                input_names=retriever.input_names, target_names=retriever.target_names)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tmp = path + '.tmp'
    torch.save({'meta': meta, 'state_dict': state}, tmp)
    os.replace(tmp, path)
    log(f'{name}: wrote {path} ({osp.getsize(path)} bytes)')
    test = evaluate_test_split(cfg, path)
    domain = training_domain(cfg.train_dataloader.dataset.to_dict(), retriever.input_names,
                             retriever.target_names)
    entry = dict(name=name, config=_config_key(config), checkpoint=osp.basename(path),
                 sha256=sha256_of(path), bytes=osp.getsize(path),
                 source_checkpoint=osp.basename(checkpoint), command=command,
                 model=type(retriever).__name__, input_names=retriever.input_names,
                 target_names=retriever.target_names, test=test, domain=domain,
                 parameters=int(sum(p.numel() for p in model.parameters())))
    manifest = load_manifest(out_dir)
    manifest[name] = entry
    write_json(osp.join(out_dir, MANIFEST), dict(sorted(manifest.items())), indent=1)
    t = test[retriever.target_names[0]]
    log(f'{name}: test split RMSE {t["RMSE"]:.4f}, MAE {t["MAE"]:.4f}, BIAS {t["BIAS"]:+.4f}, '
        f'R2 {t["R2"]:.5f} (n {t["n"]})')
    return entry
