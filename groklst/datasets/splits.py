"""Spatially disjoint train / val / test splits of tiles cut from one scene.

Tiles of one scene overlap and are spatially autocorrelated, so random tiles would leak test
pixels into training. Here the grid is cut into blocks at least one tile wide; tiles lie
entirely inside one block and whole blocks go to one split (the blocked cross-validation of
Roberts et al. 2017, Ecography 40:913-929).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ['SPLITS', 'SPLIT_TARGETS', 'make_blocks', 'tile_origins', 'assign_blocks',
           'block_split_tiles']

#: Split names in index order.
SPLITS = ('train', 'val', 'test')
#: Default target shares of the valid pixels covered by kept tiles.
SPLIT_TARGETS = {'train': 0.6, 'val': 0.1, 'test': 0.3}
#: Block orders tried by :func:`assign_blocks`.
N_CANDIDATES = 512


def make_blocks(height: int, width: int, tile: int, align: int = 8) -> list[dict]:
    """Partition an ``height`` x ``width`` grid into ``floor(H/tile)`` x ``floor(W/tile)`` blocks.

    Block edges fall on multiples of ``align`` (the largest scale factor, so that LR grids
    split along the same lines); each block is at least about one tile wide.

    Args:
        height, width: Grid size in HR pixels.
        tile: Tile size in px (at most ``min(height, width)``).
        align: Edge alignment in px.

    Returns:
        ``[{'id', 'row', 'col', 'height', 'width'}, ...]`` in row-major order.

    Raises:
        ValueError: ``tile`` not positive or larger than the grid.
    """
    if not 0 < tile <= min(height, width):
        raise ValueError(f'tile {tile} must be in 1..{min(height, width)} for a {height} x '
                         f'{width} grid')

    def edges(n_px):
        n = n_px // tile
        return [((k * n_px) // n) // align * align for k in range(n)] + [n_px]

    rows, cols = edges(height), edges(width)
    blocks = []
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            blocks.append({'id': len(blocks), 'row': rows[i], 'col': cols[j],
                           'height': rows[i + 1] - rows[i], 'width': cols[j + 1] - cols[j]})
    return blocks


def tile_origins(start: int, stop: int, tile: int, stride: int) -> list[int]:
    """Tile origins in ``[start, stop - tile]`` every ``stride`` px, plus one flush with ``stop``.

    Raises:
        ValueError: the interval is shorter than one tile or ``stride`` is not positive.
    """
    if stop - start < tile or stride <= 0:
        raise ValueError(f'cannot place {tile} px tiles with stride {stride} in [{start}, '
                         f'{stop})')
    out = list(range(start, stop - tile + 1, stride))
    if out[-1] != stop - tile:
        out.append(stop - tile)
    return out


def assign_blocks(weights, targets: Mapping[str, float], seed: int,
                  n_candidates: int = N_CANDIDATES) -> list[str | None]:
    """Seeded, deterministic assignment of whole blocks to splits.

    Each candidate is a random block order (``numpy.random.default_rng(seed)``) filled
    greedily: the next block joins the split furthest below its target share of the total
    weight. The candidate with the smallest L1 distance between achieved and target shares in
    which every split has positive weight wins (the first one on ties).

    Args:
        weights: (n_blocks,) non-negative weights (valid pixels in kept tiles of each block).
        targets: Split name -> target share (summing to 1).
        seed: RNG seed.
        n_candidates: Number of block orders tried.

    Returns:
        Split name per block; None for blocks of zero weight (no usable tile), which belong to
        no split.

    Raises:
        ValueError: fewer usable blocks than splits, or no candidate gives every split
            positive weight.
    """
    names = list(targets)
    target = np.array([targets[n] for n in names])
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum()
    if total <= 0 or np.count_nonzero(weights) < len(names):
        raise ValueError(
            f'only {np.count_nonzero(weights)} block(s) hold usable tiles; '
            f'{len(names)} splits need at least {len(names)} (lower '
            f'--min-valid-fraction or --tile-size)')
    rng = np.random.default_rng(seed)
    best, best_score = None, np.inf
    for _ in range(n_candidates):
        order = rng.permutation(len(weights))
        acc = np.zeros(len(names))
        labels = np.zeros(len(weights), dtype=int)
        for b in order:
            k = int(np.argmax(target * total - acc))
            labels[b] = k
            acc[k] += weights[b]
        if np.any(acc <= 0):
            continue
        score = float(np.abs(acc / total - target).sum())
        if score < best_score - 1e-12:
            best, best_score = labels.copy(), score
    if best is None:
        raise ValueError('no block assignment gives every split a tile; '
                         'lower --min-valid-fraction or --tile-size')
    return [names[k] if w > 0 else None for k, w in zip(best, weights)]


def block_split_tiles(valid: np.ndarray, tile_size: int, stride: int,
                      min_valid_fraction: float, seed: int,
                      targets: Mapping[str, float] = SPLIT_TARGETS) -> dict:
    """Cut a validity grid into tiles and split them by whole blocks.

    Blocks come from :func:`make_blocks`; inside each block tiles start every ``stride`` px
    (:func:`tile_origins`); tiles with a valid fraction below ``min_valid_fraction`` are
    dropped; a block's weight is its number of valid pixels covered by kept tiles;
    :func:`assign_blocks` gives blocks to splits.

    Args:
        valid: (H, W) bool, valid HR pixels.
        tile_size: Tile size in px.
        stride: Tile origin step inside a block in px.
        min_valid_fraction: Lowest kept valid fraction of a tile, in [0, 1].
        seed: Seed of the block assignment.
        targets: Split name -> target share; its keys are the split names in index order.

    Returns:
        Dict with ``blocks`` (:func:`make_blocks`), ``block_tiles`` (per block, the kept
        ``(row, col, valid_fraction)``), ``weights`` (per block), ``labels`` (per block, split
        or None), ``tiles`` (``{'id': 'r0000_c0000', 'split', 'row', 'col', 'size',
        'valid_fraction' (6 decimals), 'block'}`` sorted by split, row, col), ``counts``
        (tiles per split) and ``share`` (achieved share of the weight per split).

    Raises:
        ValueError: bad arguments, or no assignment with a tile in every split.
    """
    if not 0 <= min_valid_fraction <= 1:
        raise ValueError(f'min_valid_fraction must be in [0, 1], got {min_valid_fraction}')
    splits = list(targets)
    hgt, wid = valid.shape
    blocks = make_blocks(hgt, wid, tile_size)
    block_tiles, weights = [], []
    for blk in blocks:
        kept = []
        cover = np.zeros((blk['height'], blk['width']), bool)
        for r in tile_origins(blk['row'], blk['row'] + blk['height'], tile_size, stride):
            for c in tile_origins(blk['col'], blk['col'] + blk['width'], tile_size, stride):
                frac = float(valid[r:r + tile_size, c:c + tile_size].mean())
                if frac >= min_valid_fraction:
                    kept.append((r, c, frac))
                    cover[r - blk['row']:r - blk['row'] + tile_size,
                          c - blk['col']:c - blk['col'] + tile_size] = True
        sub = valid[blk['row']:blk['row'] + blk['height'], blk['col']:blk['col'] + blk['width']]
        block_tiles.append(kept)
        weights.append(int((sub & cover).sum()))
    labels = assign_blocks(np.array(weights), targets, seed)
    tiles = []
    for split in splits:
        for blk, kept, label in zip(blocks, block_tiles, labels):
            if label != split:
                continue
            for r, c, frac in kept:
                tiles.append({'id': f'r{r:04d}_c{c:04d}', 'split': split, 'row': r, 'col': c,
                              'size': tile_size, 'valid_fraction': round(frac, 6),
                              'block': blk['id']})
    tiles.sort(key=lambda t: (splits.index(t['split']), t['row'], t['col']))
    counts = {s: sum(t['split'] == s for t in tiles) for s in splits}
    total_w = float(sum(weights))
    share = {s: sum(w for w, lab in zip(weights, labels) if lab == s) / total_w for s in splits}
    return dict(blocks=blocks, block_tiles=block_tiles, weights=weights, labels=labels,
                tiles=tiles, counts=counts, share=share)
