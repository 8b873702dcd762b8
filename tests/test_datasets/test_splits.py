"""Spatially disjoint block splits of the tiles of one scene."""
import numpy as np
import pytest

from groklst.datasets.splits import (assign_blocks, block_split_tiles, make_blocks,
                                     tile_origins)


def test_blocks_and_tile_origins():
    blocks = make_blocks(600, 624, 128)  # the demo grid: 4 x 4 blocks
    assert len(blocks) == 16
    assert [b['row'] for b in blocks[::4]] == [0, 144, 296, 448]
    assert all(b['row'] % 8 == 0 and b['col'] % 8 == 0 for b in blocks)
    assert sum(b['height'] * b['width'] for b in blocks) == 600 * 624
    assert tile_origins(0, 150, 128, 32) == [0, 22]
    assert tile_origins(144, 296, 128, 32) == [144, 168]
    with pytest.raises(ValueError, match='cannot place'):
        tile_origins(0, 100, 128, 32)
    with pytest.raises(ValueError, match='tile 700'):
        make_blocks(600, 624, 700)


def test_block_assignment_is_seeded_and_needs_a_block_per_split():
    w = np.array([10, 0, 30, 20, 5, 25, 10, 0])
    a = assign_blocks(w, {'train': 0.6, 'val': 0.1, 'test': 0.3}, seed=3)
    assert a == assign_blocks(w, {'train': 0.6, 'val': 0.1, 'test': 0.3}, seed=3)
    assert a[1] is None and a[7] is None and set(a) - {None} == {'train', 'val', 'test'}
    with pytest.raises(ValueError, match='only 2 block'):
        assign_blocks(np.array([5, 0, 3]), {'train': 0.6, 'val': 0.1, 'test': 0.3}, 0)


def test_block_split_tiles_are_disjoint_between_splits():
    valid = np.ones((96, 96), bool)
    valid[:20, :20] = False
    out = block_split_tiles(valid, 32, 16, 0.5, seed=0)
    assert len(out['blocks']) == 9 and sum(out['counts'].values()) == len(out['tiles'])
    cover = {s: np.zeros((96, 96), bool) for s in ('train', 'val', 'test')}
    for t in out['tiles']:
        cover[t['split']][t['row']:t['row'] + 32, t['col']:t['col'] + 32] = True
        assert t['valid_fraction'] == pytest.approx(
            valid[t['row']:t['row'] + 32, t['col']:t['col'] + 32].mean(), abs=1e-6)
    assert not (cover['train'] & cover['val']).any() and not (cover['val'] &
                                                                cover['test']).any()
    assert not (cover['train'] & cover['test']).any()
    assert sum(out['share'].values()) == pytest.approx(1.0)
