"""One clear error for config keys nothing would use (issue 14 §5): groklst.utils.config_check."""
import copy
import glob
import os.path as osp
import tempfile

import pytest
from mmengine.config import Config

from groklst.utils.config_check import (RUNNER_KEYS, ConfigKeyError, check_cfg_options,
                                        check_config, constructor_arguments)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MOCOLSK = osp.join(ROOT, 'configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py')
CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in osp.relpath(p, ROOT).split(osp.sep))


def test_no_config_of_the_repository_is_rejected(monkeypatch):
    """Every config, with the overrides the docs and tests use, passes both checks."""
    if osp.isdir('/dev/shm'):  # Config.fromfile writes temporary files: keep them in memory
        monkeypatch.setattr(tempfile, 'tempdir', '/dev/shm')
    assert len(CONFIGS) > 250
    usual = {'train_cfg.max_iters': 2, 'train_cfg.val_interval': 2, 'work_dir': 'w',
             'default_hooks.checkpoint.interval': 2, 'load_from': None, 'resume': False,
             'randomness.seed': 1, 'train_dataloader.num_workers': 0}
    rejected = []
    for path in CONFIGS:
        cfg = Config.fromfile(path)
        options = {k: v for k, v in usual.items()
                   if k.split('.', 1)[0] in cfg or '.' not in k}
        try:
            check_cfg_options(cfg, options)
            cfg.merge_from_dict(options)
            check_config(cfg)
        except ConfigKeyError as err:
            rejected.append(f'{osp.relpath(path, ROOT)}: {err}')
    assert not rejected, '\n'.join(rejected)


@pytest.fixture(scope='module')
def mocolsk():
    return Config.fromfile(MOCOLSK)


@pytest.mark.parametrize('options, message', [
    ({'train_cfg.max_iter': 2},
     "train_cfg.max_iter: IterBasedTrainLoop takes no argument 'max_iter'; did you mean "
     "'train_cfg.max_iters'?"),
    ({'model.generator.base_dm': 16},
     "model.generator.base_dm: MoCoLSKNet takes no argument 'base_dm'; did you mean "
     "'model.generator.base_dim'?"),
    ({'model.generator.type': 'MoCoLSKNett'},
     "model.generator.type: 'MoCoLSKNett' is not a registered model; did you mean 'MoCoLSKNet'?"),
    ({'train_dataloader.batch_sizee': 2},
     "train_dataloader.batch_sizee: data loaders take no key 'batch_sizee'; did you mean "
     "'train_dataloader.batch_size'?"),
    ({'train_dataloader.dataset.splt': 'val'},
     "train_dataloader.dataset.splt: GrokLSTDataset takes no argument 'splt'; did you mean "
     "'train_dataloader.dataset.split'?"),
    ({'default_hooks.logger.intervall': 5},
     "default_hooks.logger.intervall: LoggerHook takes no argument 'intervall'; did you mean "
     "'default_hooks.logger.interval'?"),
    ({'optim_wrapper.optimizer.lrr': 1e-3},
     "optim_wrapper.optimizer.lrr: AdamW takes no argument 'lrr'; did you mean "
     "'optim_wrapper.optimizer.lr'?"),
    ({'max_iters': 2},
     "--cfg-options max_iters: unknown top-level key 'max_iters': neither in the config nor "
     "read by the runner; did you mean 'train_cfg.max_iters'?"),
    ({'work_dirr': 'w'},
     "--cfg-options work_dirr: unknown top-level key 'work_dirr': neither in the config nor "
     "read by the runner; did you mean 'work_dir'?"),
])
def test_unknown_keys_are_one_line_with_the_closest_valid_key(mocolsk, options, message):
    cfg = copy.deepcopy(mocolsk)
    with pytest.raises(ConfigKeyError) as err:
        check_cfg_options(cfg, options)
        cfg.merge_from_dict(options)
        check_config(cfg)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError) and '\n' not in str(err.value)


def test_config_variables_do_not_reach_the_datasets(mocolsk):
    """`data_root=` was silently ignored: the datasets hold the value copied at read time."""
    with pytest.raises(ConfigKeyError) as err:
        check_cfg_options(mocolsk, {'data_root': '/my/data'})
    assert str(err.value) == (
        "--cfg-options data_root: 'data_root' is a variable of the config file, already copied "
        'into the entries that use it when the file was read; overriding it changes nothing; '
        'set the entries that hold its value instead: train_dataloader.dataset.data_root, '
        'val_dataloader.dataset.data_root, test_dataloader.dataset.data_root')
    with pytest.raises(ConfigKeyError, match=r"'scale' is a variable.*model\.scale"):
        check_cfg_options(mocolsk, {'scale': 2})
    with pytest.raises(ConfigKeyError, match=r'train_dataloader\.dataset\.pipeline$'):
        check_cfg_options(mocolsk, {'train_pipeline.0.valid_range': (0, 1)})
    # the entries themselves and the runner's own keys are accepted
    check_cfg_options(mocolsk, {'train_dataloader.dataset.data_root': '/my/data',
                                'experiment_name': 'x', 'auto_scale_lr.base_batch_size': 4})


def test_top_level_typo_in_a_config_file(mocolsk):
    cfg = copy.deepcopy(mocolsk)
    cfg['trian_cfg'] = cfg.pop('train_cfg')
    with pytest.raises(ConfigKeyError, match="'trian_cfg' is not read by the runner; did you "
                                             "mean 'train_cfg'"):
        check_config(cfg)


def test_constructor_arguments_follow_groklst_kwargs_only():
    from mmengine.hooks import CheckpointHook
    from mmengine.runner import IterBasedTrainLoop

    from groklst.datasets import GrokLSTDataset
    names, is_open = constructor_arguments(GrokLSTDataset)
    assert not is_open and {'split', 'scale', 'serialize_data', 'lazy_init'} <= names
    assert constructor_arguments(CheckpointHook)[1]  # **kwargs go to save_checkpoint: open
    names, is_open = constructor_arguments(IterBasedTrainLoop)
    assert not is_open and 'max_iters' in names
    assert {'model', 'train_cfg', 'default_hooks', 'compile'} <= RUNNER_KEYS
