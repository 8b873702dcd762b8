"""Tiles cut from co-registered scene GeoTIFFs (e.g. the Landsat-8 demo dataset)."""
import json
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset

from groklst.registry import DATASETS

from .base import build_pipeline
from .validation import (DEFAULT_LST_RANGE, VALUE_CHECK_SIDE, DatasetValidationError,
                         cached_check, check_lst_values, collect_file_errors,
                         read_lst_sample)


def _raster_header(path: str) -> dict:
    """CRS, affine transform, size and band count of a raster, read from its header only.

    Raises:
        ValueError: the file cannot be opened as a raster (message names it).
    """
    import rasterio
    from rasterio.errors import RasterioIOError
    try:
        with rasterio.open(path) as src:
            return dict(path=path, crs=src.crs, transform=src.transform, height=src.height,
                        width=src.width, count=src.count)
    except RasterioIOError as exc:
        raise DatasetValidationError(f'{path}: not a readable raster ({exc})') from exc


def _check_scene_grids(headers: dict, scale: int, n_guidance: int) -> None:
    """Check that the rasters of a scene are co-registered (see :class:`RasterTileDataset`).

    Args:
        headers: role ('hr', 'lr', 'mask', 'guidance') -> :func:`_raster_header` dict.
        scale: scale factor s between the LR and HR grids.
        n_guidance: number of guidance bands listed by the tile index (0: unchecked).

    Raises:
        ValueError: as listed in :class:`RasterTileDataset`.
    """
    hr = headers['hr']
    for role, h in headers.items():
        if role != 'guidance' and h['count'] != 1:
            raise DatasetValidationError(
                f"{h['path']}: expected 1 band ({role}), found {h['count']}")
        if h['crs'] != hr['crs']:
            raise DatasetValidationError(f"CRS mismatch between paired rasters: {h['path']} has "
                                         f"{h['crs']}, {hr['path']} has {hr['crs']}")
        factor = scale if role == 'lr' else 1
        want = (hr['height'] // factor, hr['width'] // factor)
        if role == 'lr' and (hr['height'] % scale or hr['width'] % scale):
            raise DatasetValidationError(
                f"{hr['path']} is {hr['height']} x {hr['width']} pixels, not a multiple of "
                f'scale {scale}')
        if (h['height'], h['width']) != want:
            raise DatasetValidationError(
                f"{h['path']} is {h['height']} x {h['width']} pixels but {hr['path']} is "
                f"{hr['height']} x {hr['width']}: expected {want[0]} x {want[1]}"
                + (f' (HR size / scale {scale})' if role == 'lr' else ''))
        t, th = h['transform'], hr['transform']
        want_t = (th.a * factor, th.b * factor, th.c, th.d * factor, th.e * factor, th.f)
        tol = 1e-6 * max(abs(th.a), abs(th.e), 1.0)
        if any(abs(x - y) > tol * max(1.0, abs(y)) for x, y in zip(tuple(t)[:6], want_t)):
            raise DatasetValidationError(
                f"{h['path']}: geotransform {tuple(t)[:6]} is not the grid of {hr['path']} "
                + (f'coarsened by scale {scale} ' if role == 'lr' else '')
                + f'(expected {want_t})')
    if 'guidance' in headers and n_guidance and headers['guidance']['count'] != n_guidance:
        g = headers['guidance']
        raise DatasetValidationError(
            f"{g['path']}: {g['count']} guidance bands, but the tile index lists {n_guidance} "
            'guidance_bands')


@DATASETS.register_module()
class RasterTileDataset(BaseDataset):
    """Windows of scene GeoTIFFs listed in a tile index (``splits.json``).

    The scene folder holds ``hr_lst.tif`` (1 band, K), ``guidance.tif`` (K bands),
    ``valid_mask.tif`` (uint8, 1 = valid) and ``lr_lst_x{s}.tif`` (Wald-degraded LST at scale s).
    The index lists tiles ``{id, split, row, col, size}`` (HR pixel offsets); tiles of different
    splits never overlap (spatially disjoint blocks). Each item of the data list holds the paths
    and ``hr_window`` read by ``LoadLSTSample``.

    Args:
        data_root: scene folder.
        split: 'train', 'val' or 'test'.
        scale: scale factor s (2, 4, 8).
        ann_file: tile index JSON, relative to ``data_root``.
        use_guidance: also load the guidance bands (guided SR); False for single-image SR.
        guidance_bands: band names in the order the model expects; default all bands of the index.
        validate: check the LST values of the HR and LR rasters when the data list is built
            (read decimated, :func:`~groklst.datasets.validation.read_lst_sample`; cached per
            file state). Defaults to True.
        lst_range: plausible LST (K) of that check. Defaults to
            :data:`~groklst.datasets.validation.DEFAULT_LST_RANGE` (180–360 K).

    Raises:
        FileNotFoundError: the index or a scene file is missing (path named).
        ValueError: unknown split, no tile in the split, or a band not in the scene; a scene file
            that is not a readable raster; paired rasters with different CRS, origin or pixel
            grids (the LR grid must be the HR grid coarsened by ``scale``); LR size x ``scale``
            != HR size; an LST or mask file with more than one band; a guidance file whose band
            count differs from the index's ``guidance_bands``; a tile outside the scene. Every
            message names the file(s) involved.
        LSTValueError: (a ``ValueError``) the HR or LR LST is not in Kelvin (wrong unit or an
            unapplied scale factor); the message gives min / max / median and the likely unit.
    """

    METAINFO = dict(dataset_name='RasterTileDataset')

    def __init__(self, data_root: str, split: str, scale: int, ann_file: str = 'splits.json',
                 use_guidance: bool = True, guidance_bands: Optional[Sequence[str]] = None,
                 hr_file: str = 'hr_lst.tif', guidance_file: str = 'guidance.tif',
                 mask_file: str = 'valid_mask.tif', lr_file: str = 'lr_lst_x{scale}.tif',
                 validate: bool = True, lst_range: Sequence[float] = DEFAULT_LST_RANGE,
                 **kwargs) -> None:
        self.split = split
        self.validate = bool(validate)
        self.lst_range = tuple(float(v) for v in lst_range)
        self.scale = int(scale)
        self.use_guidance = use_guidance
        self.guidance_bands = list(guidance_bands) if guidance_bands else None
        self.files = dict(hr=hr_file, guidance=guidance_file, mask=mask_file,
                          lr=lr_file.format(scale=self.scale))
        kwargs['pipeline'] = build_pipeline(kwargs.get('pipeline', []))
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'Tile index {self.ann_file} not found; build the dataset '
                                    'first (see data/README.md)')
        with open(self.ann_file) as f:
            index = json.load(f)
        splits = sorted({t['split'] for t in index['tiles']})
        if self.split not in splits:
            raise DatasetValidationError(
                f"Split '{self.split}' not in {self.ann_file} (has {splits})")
        paths = {k: osp.join(self.data_root, v) for k, v in self.files.items()}
        for k, p in paths.items():
            if (k != 'guidance' or self.use_guidance) and not osp.isfile(p):
                raise FileNotFoundError(f'Scene file {p} not found')
        headers = {k: _raster_header(p) for k, p in paths.items()
                   if k != 'guidance' or self.use_guidance}
        _check_scene_grids(headers, self.scale, len(index.get('guidance_bands', [])))
        if self.validate:
            self.validate_values([paths['hr'], paths['lr']])
        scene_bands = list(index.get('guidance_bands', []))
        bands = self.guidance_bands or scene_bands
        if self.use_guidance and bands != scene_bands:
            raise DatasetValidationError(
                f'guidance_bands {bands} differ from the bands of the scene {scene_bands}; band '
                'subsets of GeoTIFF scenes are not supported')
        data_list = []
        for t in index['tiles']:
            if t['split'] != self.split:
                continue
            if t['row'] % self.scale or t['col'] % self.scale or t['size'] % self.scale:
                raise DatasetValidationError(f"Tile {t['id']} is not aligned to scale {self.scale}")
            hr = headers['hr']
            if t['row'] < 0 or t['col'] < 0 or t['row'] + t['size'] > hr['height'] or \
                    t['col'] + t['size'] > hr['width']:
                raise DatasetValidationError(
                    f"{self.ann_file}: tile {t['id']} (row {t['row']}, col {t['col']}, size "
                    f"{t['size']}) lies outside the scene {hr['path']} of "
                    f"{hr['height']} x {hr['width']} pixels")
            data_list.append(dict(
                sample_id=str(t['id']), lr_path=paths['lr'], gt_path=paths['hr'],
                mask_path=paths['mask'],
                guidance_path=paths['guidance'] if self.use_guidance else None,
                guidance_bands=bands if self.use_guidance else [],
                hr_window=((t['row'], t['col']), (t['size'], t['size'])),
                scale=self.scale, lr_format='tif'))
        return data_list

    def validate_values(self, paths: List[str]) -> None:
        """Check that the LST rasters ``paths`` hold Kelvin (decimated read, cached).

        Raises:
            LSTValueError: see the class docstring.
        """
        def check(path: str) -> None:
            cached_check('raster-lst-values', [path], [list(self.lst_range), VALUE_CHECK_SIDE],
                         lambda: bool(check_lst_values(read_lst_sample(path), path,
                                                       self.lst_range)))

        collect_file_errors(paths, check, f'RasterTileDataset {self.data_root}')
