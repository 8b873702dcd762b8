"""The MoCoLSK configs (``configs/mocolsk/``). The ablation configs inherit from their base
config and are distinct; the demo ablations cover the paper's rows. MoCoLSK-Net checkpoints
keep their layout: every MoCoLSK config builds the generator with the
state-dict keys, shapes and parameter count of the GrokLST layout, and a GrokLST checkpoint
(generator only, ``generator.module.*`` keys) loads strictly.

The pins were taken from the code before MoCoLSK moved into ``backbones/mocolsk/`` and its fusion
modules and reconstruction became registered necks and heads (commit 0712483); there the same
seed also gave bit-identical initial weights and outputs for every config.
"""
import glob
import hashlib
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from groklst.models.backbones.mocolsk import canonical_block_type
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

DEMO = 'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py'

#: config under configs/mocolsk/ -> (parameters, sha1[:16] of the "key (shape)" lines)
PINS = {
    'ablations/baseline-identity_x4_4xb1-10k_groklst.py': (25265273, 'af8180f2d48d7b70'),
    'ablations/lsk-cs-m_x4_4xb1-10k_groklst.py': (25351545, '45e54f89978cd806'),
    'ablations/lsk-m_x4_4xb1-10k_groklst.py': (25318929, '8577242738550fdd'),
    'ablations/mocolsk-cs_x4_4xb1-10k_groklst.py': (25444473, '024fb3d9dc499c85'),
    'ablations/mocolsk-ex_x4_4xb1-10k_groklst.py': (25430841, '5d9acc1eb649861d'),
    'ablations/mocolsk_dim-16_x4_4xb1-10k_groklst.py': (6352701, 'c00169be03cab48c'),
    'ablations/mocolsk_dim-64_x4_4xb1-10k_groklst.py': (102158385, '49ae7907163ab827'),
    'ablations/mocolsk_dmlp-b_x4_4xb1-10k_groklst.py': (25447865, 'e06a8540a89a4bf7'),
    'ablations/mocolsk_dmlp-c_x4_4xb1-10k_groklst.py': (25456057, '556f3b070f51748d'),
    'ablations/mocolsk_dmlp-l2-h16_x4_4xb1-10k_groklst.py': (25430969, '35f63dd5ad76c85f'),
    'ablations/mocolsk_dmlp-l2-h64_x4_4xb1-10k_groklst.py': (25836857, '899c86827a0e11e4'),
    'ablations/mocolsk_dmlp-l2_x4_4xb1-10k_groklst.py': (25566265, 'f47e1704658609ba'),
    'ablations/mocolsk_dmlp-l3_x4_4xb1-10k_groklst.py': (25701689, '81cadc5b177834fc'),
    'ablations/mocolsk_dwk-5_x4_4xb1-10k_groklst.py': (25448249, 'ba28e8982bcbb0e7'),
    'ablations/mocolsk_dwk-7_x4_4xb1-10k_groklst.py': (25474361, 'a7886cb5a7ecb5dc'),
    'ablations/mocolsk_k-11_x4_4xb1-10k_groklst.py': (25429721, '9ffc8d62f1f53f0f'),
    'ablations/mocolsk_k-23_x4_4xb1-10k_groklst.py': (25481945, '561d151b9611492e'),
    'ablations/mocolsk_k-55_x4_4xb1-10k_groklst.py': (25801433, '29bd4a98ea903010'),
    'ablations/mocolsk_kd-3-1-3-2_x4_4xb1-10k_groklst.py': (25423673, '5258ac6f9d234034'),
    'ablations/mocolsk_kd-3-1-5-1_x4_4xb1-10k_groklst.py': (25425721, '59f81242a7e20119'),
    'ablations/mocolsk_kd-3-1-5-2_x4_4xb1-10k_groklst.py': (25425721, '59f81242a7e20119'),
    'ablations/mocolsk_kd-5-1-7-3-9-4_x4_4xb1-10k_groklst.py': (25448345, 'eeea7b58d3fdf902'),
    'ablations/mocolsk_kd-7-1-9-4_x4_4xb1-10k_groklst.py': (25438009, '0284f5dd1e2f798e'),
    'ablations/mocolsk_kd-9-1-11-5_x4_4xb1-10k_groklst.py': (25447225, 'd0fe6c94d5cbe7f9'),
    'ablations/mocolsk_nstage-2_x4_4xb1-10k_groklst.py': (8623393, '94d7554a910d5ab2'),
    'ablations/mocolsk_nstage-3_x4_4xb1-10k_groklst.py': (15844345, '091883f1156096f5'),
    'ablations/mocolsk_nstage-5_x4_4xb1-10k_groklst.py': (37549793, '4330f18844791352'),
    'ablations/mocolsk_pool-avg_x4_4xb1-10k_groklst.py': (25430841, '5d9acc1eb649861d'),
    'ablations/mocolsk_pool-avgmax_x4_4xb1-10k_groklst.py': (25430841, '5d9acc1eb649861d'),
    'ablations/mocolsk_pool-max_x4_4xb1-10k_groklst.py': (25430841, '5d9acc1eb649861d'),
    'ablations/mocolsk_stages-C-C-S-S_x4_4xb1-10k_groklst.py': (25437657, '31740b57ee6e3f0c'),
    'ablations/mocolsk_stages-C-S-C-C_x4_4xb1-10k_groklst.py': (25441065, 'ace9085bdcf9083a'),
    'ablations/mocolsk_stages-S-C-S-S_x4_4xb1-10k_groklst.py': (25434249, '037708078557035c'),
    'ablations/mocolsk_stages-S-S-C-C_x4_4xb1-10k_groklst.py': (25437657, '7e93cbbcb44e69cf'),
    'ablations/sk-m_x4_4xb1-10k_groklst.py': (25304953, 'e32b6ab526aab1b6'),
    'demo-ablations/baseline-identity_x4_1xb4-800it_landsat8-demo.py':
        (1657441, '4057907a0eddd4c5'),
    'demo-ablations/lsk-m_x4_1xb4-800it_landsat8-demo.py': (1666957, 'df6fd6530e8bbdec'),
    'demo-ablations/mocolsk-cs_x4_1xb4-800it_landsat8-demo.py': (1675777, '7bc968bbd7c81128'),
    'demo-ablations/mocolsk-ex_x4_1xb4-800it_landsat8-demo.py': (1672609, '3dda946abca49e2f'),
    'demo-ablations/mocolsk-s-ppm_x4_1xb4-800it_landsat8-demo.py': (1672609, '3dda946abca49e2f'),
    'demo-ablations/mocolsk_pool-avg_x4_1xb4-800it_landsat8-demo.py': (1672609, '3dda946abca49e2f'),
    'demo-ablations/mocolsk_pool-max_x4_1xb4-800it_landsat8-demo.py': (1672609, '3dda946abca49e2f'),
    'demo-ablations/mocolsk_stages-C-S_x4_1xb4-800it_landsat8-demo.py':
        (1674193, '7ec4443ef6ed9099'),
    'demo-ablations/sk-m_x4_1xb4-800it_landsat8-demo.py': (1666369, '2dbf46e9b7c97215'),
    'mocolsk-demo_x4_1xb4-800it_landsat8-demo.py': (1672609, '3dda946abca49e2f'),
    'mocolsk_x2_4xb1-10k_groklst.py': (20011833, '9c9bfce25e8646f7'),
    'mocolsk_x4_4xb1-10k_groklst.py': (25430841, '5d9acc1eb649861d'),
    'mocolsk_x8_4xb1-10k_groklst.py': (40913721, '512226faf7ec87cf'),
}


def _generator_cfg(rel):
    return Config.fromfile(osp.join(ROOT, 'configs/mocolsk', rel)).model.generator.to_dict()


def _layout_digest(state):
    text = '\n'.join(f'{k} {tuple(v.shape)}' for k, v in state.items())
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def test_every_mocolsk_config_is_pinned():
    found = set()
    for path in glob.glob(osp.join(ROOT, 'configs/mocolsk/**/*.py'), recursive=True):
        rel = osp.relpath(path, osp.join(ROOT, 'configs/mocolsk'))
        if _generator_cfg(rel)['type'] == 'MoCoLSKNet':  # neck-swap/ holds other generators
            found.add(rel)
    assert found == set(PINS), (sorted(found - set(PINS)), sorted(set(PINS) - found))


@pytest.mark.parametrize('rel', sorted(PINS))
def test_config_keeps_keys_shapes_and_parameter_count(rel):
    register_all_modules()
    with torch.device('meta'):
        net = MODELS.build(_generator_cfg(rel))
    n_params, digest = PINS[rel]
    assert sum(p.numel() for p in net.parameters()) == n_params
    assert _layout_digest(net.state_dict()) == digest


def test_groklst_checkpoint_loads_strictly(tmp_path):
    """GrokLST (MMagic) saves only the generator, each child DDP-wrapped: ``generator.module.*``."""
    from mmengine.runner.checkpoint import load_checkpoint
    register_all_modules()
    cfg = dict(type='Downscaler', scale=4, residual='bicubic', lst_norm=dict(mean=300.0, std=5.0),
               generator=_generator_cfg('mocolsk-demo_x4_1xb4-800it_landsat8-demo.py'))
    torch.manual_seed(0)
    trained = MODELS.build(cfg).eval()
    state = {'generator.module.' + k: v for k, v in trained.generator.state_dict().items()}
    path = str(tmp_path / 'groklst_mocolsk.pth')
    torch.save(dict(state_dict=state), path)
    torch.manual_seed(1)
    fresh = MODELS.build(cfg).eval()
    inputs = dict(lr=300 + torch.randn(1, 1, 6, 6), guidance=torch.randn(1, 10, 24, 24))
    with torch.no_grad():
        assert not torch.allclose(fresh(inputs), trained(inputs))
    load_checkpoint(fresh, path, map_location='cpu', strict=True)
    with torch.no_grad():
        torch.testing.assert_close(fresh(inputs), trained(inputs), atol=0, rtol=0)



BASE = 'configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py'
ABLATIONS = sorted(glob.glob(osp.join(ROOT, 'configs/mocolsk/ablations/*.py')))
DEMO_ABLATIONS = sorted(glob.glob(osp.join(ROOT, 'configs/mocolsk/demo-ablations/*.py')))


def _generator(path):
    return Config.fromfile(path).model.generator.to_dict()


@pytest.mark.parametrize('paths, base', [(ABLATIONS, BASE), (DEMO_ABLATIONS, DEMO)],
                         ids=['groklst', 'demo'])
def test_ablation_configs_inherit_and_are_distinct(paths, base):
    assert paths
    ref = _generator(osp.join(ROOT, base))
    seen = {}
    for path in paths:
        text = open(path).read()
        assert f"_base_ = ['../{osp.basename(base)}']" in text, path
        assert 'x4' in osp.basename(path)
        gen = _generator(path)
        changed = {k for k in set(gen) | set(ref) if gen.get(k) != ref.get(k)}
        # the demo reference row (MoCoLSK S with PPM) is the base model under its row name
        assert bool(changed) != ('mocolsk-s-ppm' in path), (path, changed)
        key = repr(sorted(gen.items()))
        assert key not in seen, f'{path} duplicates {seen.get(key)}'
        seen[key] = path


def test_demo_ablations_cover_the_required_rows():
    gens = {osp.basename(p): _generator(p) for p in DEMO_ABLATIONS}
    kinds = {canonical_block_type(g['block_types']) for g in gens.values()
             if isinstance(g.get('block_types'), str)}
    assert {'identity', 'sk-m', 'lsk-m', 'mocolsk', 'mocolsk-cs'} <= kinds
    assert any(isinstance(g.get('block_types'), (list, tuple))
               and len({canonical_block_type(t) for t in g['block_types']}) > 1
               for g in gens.values())
    assert any(g['pool_type'] == 'max' for g in gens.values())
    assert any(g['pool_type'] == 'ppm' for g in gens.values())


def test_paper_size_mocolsk_matches_paper_defaults():
    cfg = Config.fromfile(osp.join(ROOT, 'configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py'))
    assert cfg.model.lst_norm.stats_file == cfg.stats_file
    g = cfg.model.generator.to_dict()
    assert (g['base_dim'], g['num_stages'], g['n_resblocks'], g['mlp_type'], g['mlp_layers'],
            g['dynamic_kernel_size']) == (32, 4, 4, 'a', 1, 3)
    assert tuple(map(tuple, g['lsk_kernels'])) == ((5, 1), (7, 3))
    sched = Config.fromfile(osp.join(ROOT, 'configs/_base_/schedules/schedule_10k.py'))
    assert sched.optim_wrapper.optimizer.type == 'AdamW'
    assert sched.optim_wrapper.optimizer.lr == 1e-4
    assert sched.optim_wrapper.optimizer.weight_decay == 1e-5
    assert sched.train_cfg.max_iters == 10000
