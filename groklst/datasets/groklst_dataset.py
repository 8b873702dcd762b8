"""The GrokLST benchmark (Dai et al., IEEE TGRS 2025, arXiv:2409.19835) as an MMEngine dataset.

Published layout (README of https://github.com/GrokCV/GrokLST)::

    <data_root>/
        30m/{lst,guidance}/*.mat      HR level: reference LST (K) and the 10 guidance bands
        60m/{lst,guidance}/*.mat      x2 input
        120m/{lst,guidance}/*.mat     x4 input
        240m/{lst,guidance}/*.mat     x8 input
        split/{train,val,trainval,test}.txt

Each split line starts with an integer index (further whitespace-separated tokens are
ignored). In the authors' toolkit (``groklst/datasets/groklst_dataset.py`` of GrokLST) the
index ``i`` selects ``sorted(os.listdir(folder))[i]``, i.e. the i-th file name of the folder in
Python (lexicographic) string order -- not a file called ``<i>.mat``. With
``index_mode='sorted'`` (default) this dataset resolves the index the same way, on the HR LST
folder, and then pairs the HR LST, LR LST and HR guidance files **by that file name** (the
reference pairs each folder by its own sort position, which silently mispairs when the
folders differ). ``index_mode='name'`` instead reads the token as a file stem
(``<token>.mat``) for split files written that way. The paper trains on ``trainval`` and
validates/tests on ``test``.

This class builds the sample list (paths + metadata) and, unless ``validate=False``, checks
every file of it once before any iteration (:meth:`GrokLSTDataset.validate_files`): headers,
variables and shapes from the ``.mat`` headers (no pixel data of the guidance is read), the
scale relation of LR and HR, and the LST values of LR and HR (Kelvin,
:func:`groklst.datasets.validation.check_lst_values`). Results are cached per file state
(:func:`groklst.datasets.validation.cached_check`), so a second run re-reads nothing. Arrays
are read by the pipeline (``LoadLSTSample``, see ``CONTRACT.md``) with
:mod:`groklst.fileio.mat_io`.
"""
import logging
import os
import os.path as osp
import re
from typing import Callable, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from groklst.fileio.mat_io import (GROKLST_GUIDANCE_BANDS, GROKLST_LST_VARIABLE,
                                   check_mat_variable, read_mat_header, read_mat_lst)
from groklst.registry import DATASETS

from .base import build_pipeline
from .validation import (DEFAULT_LST_RANGE, DatasetValidationError, cached_check,
                         check_lst_values, collect_file_errors)

__all__ = ['GrokLSTDataset']

GROKLST_SPLITS = ('train', 'val', 'trainval', 'test')
GROKLST_SCALES = (2, 4, 8)
INDEX_MODES = ('sorted', 'name')


def _mat_names(folder: str, role: str) -> List[str]:
    """``.mat`` file names directly inside ``folder`` (hidden files skipped), sorted."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'GrokLST {role} folder not found: {folder!r}')
    return sorted(name for name in os.listdir(folder)
                  if name.lower().endswith('.mat') and not name.startswith('.')
                  and osp.isfile(osp.join(folder, name)))


def read_split_file(path: str) -> List[str]:
    """First whitespace-separated token of every non-empty, non-comment line of a split file.

    Args:
        path (str): e.g. ``<data_root>/split/test.txt``.

    Returns:
        list[str]: the tokens in file order (duplicates kept).

    Raises:
        FileNotFoundError: the split file does not exist (message names it).
        ValueError: the file lists no sample.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'GrokLST split file not found: {path!r}')
    tokens = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            fields = line.split()
            if fields and not fields[0].startswith('#'):
                tokens.append(fields[0])
    if not tokens:
        raise DatasetValidationError(f'GrokLST split file {path!r} lists no sample')
    return tokens


@DATASETS.register_module()
class GrokLSTDataset(BaseDataset):
    """GrokLST LST downscaling pairs: LR LST at ``scale``x the HR resolution -> 30 m LST.

    Every item of the data list (before the pipeline) is a dict with

    - ``lr_path`` (str): ``<lr_res>/lst/<name>.mat``, LR LST (1, h, w) in K once loaded;
    - ``gt_path`` (str): ``<hr_res>/lst/<name>.mat``, HR reference LST (1, H, W) in K,
      ``H = scale * h``;
    - ``guidance_path`` (str | None): ``<hr_res>/guidance/<name>.mat``, guidance (K, H, W);
      ``None`` when ``use_guidance=False``;
    - ``scale`` (int), ``guidance_bands`` (list[str], empty without guidance),
      ``sample_id`` (str: the split-file index token), ``tile_name`` (str: file stem),
      ``lr_format='mat'``.

    Args:
        data_root (str): folder holding ``30m/``, ``60m/``, ... and ``split/``.
        split (str): 'train' | 'val' | 'trainval' | 'test'; selects ``split/<split>.txt``.
        scale (int): 2 | 4 | 8; LR folder resolution = ``scale`` x ``hr_res``
            (x2: 60 m, x4: 120 m, x8: 240 m for ``hr_res='30m'``).
        hr_res (str): HR level folder. Defaults to ``'30m'``.
        use_guidance (bool): add the HR guidance path. Defaults to True.
        guidance_bands (Sequence[str] | None): subset / order of
            :data:`~groklst.fileio.mat_io.GROKLST_GUIDANCE_BANDS`; ``None`` = all ten.
        index_mode (str): 'sorted' (reference toolkit: index = position in the sorted HR LST
            file names) or 'name' (index token = file stem). Defaults to 'sorted'.
        ann_file (str | None): split file overriding ``split`` (relative to ``data_root``).
        data_prefix (dict | None): folders overriding the defaults
            ``dict(lr='<lr_res>/lst', gt='<hr_res>/lst', guidance='<hr_res>/guidance')``.
        metainfo (dict | None): merged over :attr:`METAINFO`.
        pipeline (list[dict | Callable]): transforms (``LoadLSTSample``, ..., ``PackLSTInputs``).
        validate (bool): check every file when the data list is built
            (:meth:`validate_files`). Defaults to True.
        lst_range (tuple[float, float]): plausible LST (K) of the value check. Defaults to
            :data:`~groklst.datasets.validation.DEFAULT_LST_RANGE` (180–360 K).
        **kwargs: other :class:`mmengine.dataset.BaseDataset` arguments (``serialize_data``,
            ``lazy_init``, ``test_mode``, ``indices``, ``max_refetch``, ...).

    Raises:
        ValueError: bad ``split`` / ``scale`` / ``hr_res`` / ``guidance_bands`` /
            ``index_mode``; an index that is not an integer or is out of range.
        FileNotFoundError: missing split file or data folder (named), or an index whose file
            is absent from one of the folders (index, file name and folder named). Raised when
            the data list is built (at construction unless ``lazy_init=True``).
        DatasetValidationError: (a ``ValueError``) a file of the split is unusable: corrupt or
            truncated, a variable missing or not 2-D, HR size != ``scale`` x LR size,
            guidance and HR LST of different sizes; :class:`LSTValueError` when LST values are
            not in Kelvin. One message names the first such file and counts the others.
    """

    METAINFO = dict(
        dataset_name='GrokLST',
        task_name='LST downscaling',
        hr_res='30m',
        scales=GROKLST_SCALES,
        lst_unit='K',
        guidance_bands=GROKLST_GUIDANCE_BANDS,
        source='Dai et al., GrokLST, IEEE TGRS 2025 (arXiv:2409.19835)')

    def __init__(self,
                 data_root: str,
                 split: str = 'trainval',
                 scale: int = 4,
                 hr_res: str = '30m',
                 use_guidance: bool = True,
                 guidance_bands: Optional[Sequence[str]] = None,
                 index_mode: str = 'sorted',
                 ann_file: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 metainfo: Optional[dict] = None,
                 pipeline: List[Union[dict, Callable]] = [],
                 validate: bool = True,
                 lst_range: Sequence[float] = DEFAULT_LST_RANGE,
                 **kwargs) -> None:
        if ann_file is None and split not in GROKLST_SPLITS:
            raise DatasetValidationError(f'split must be one of {GROKLST_SPLITS}, got {split!r}')
        if isinstance(scale, bool) or int(scale) != scale or int(scale) not in GROKLST_SCALES:
            raise DatasetValidationError(f'scale must be one of {GROKLST_SCALES}, got {scale!r}')
        match = re.fullmatch(r'(\d+)m', str(hr_res))
        if match is None:
            raise DatasetValidationError(f"hr_res must look like '30m', got {hr_res!r}")
        if index_mode not in INDEX_MODES:
            raise DatasetValidationError(
                f'index_mode must be one of {INDEX_MODES}, got {index_mode!r}')
        self.split = split
        self.scale = int(scale)
        self.hr_res = str(hr_res)
        self.lr_res = f'{int(match.group(1)) * self.scale}m'
        self.use_guidance = bool(use_guidance)
        self.guidance_bands = (self._check_bands(guidance_bands) if self.use_guidance else [])
        self.index_mode = index_mode
        self.validate = bool(validate)
        self.lst_range = tuple(float(v) for v in lst_range)

        prefix = dict(lr=f'{self.lr_res}/lst', gt=f'{self.hr_res}/lst')
        if self.use_guidance:
            prefix['guidance'] = f'{self.hr_res}/guidance'
        if data_prefix:
            unknown = set(data_prefix) - {'lr', 'gt', 'guidance'}
            if unknown:
                raise DatasetValidationError(
                    f"data_prefix keys must be 'lr', 'gt', 'guidance'; got {sorted(unknown)}")
            prefix.update({k: v for k, v in data_prefix.items()
                           if k != 'guidance' or self.use_guidance})
        meta = dict(scale=self.scale, guidance_bands=tuple(self.guidance_bands))
        meta.update(metainfo or {})
        super().__init__(
            ann_file=ann_file if ann_file is not None else osp.join('split', f'{split}.txt'),
            metainfo=meta,
            data_root=data_root,
            data_prefix=prefix,
            pipeline=build_pipeline(pipeline),
            **kwargs)

    @staticmethod
    def _check_bands(bands: Optional[Sequence[str]]) -> List[str]:
        if bands is None:
            return list(GROKLST_GUIDANCE_BANDS)
        bands = [bands] if isinstance(bands, str) else list(bands)
        unknown = [b for b in bands if b not in GROKLST_GUIDANCE_BANDS]
        if unknown or not bands or len(set(bands)) != len(bands):
            raise DatasetValidationError(
                f'guidance_bands must be a non-empty, duplicate-free subset of '
                f'{GROKLST_GUIDANCE_BANDS}; got {bands} (unknown: {unknown})')
        return bands

    def _resolve_names(self, tokens: List[str], gt_names: List[str]) -> List[str]:
        """Map split tokens to file names (see the module docstring for the two modes)."""
        names = []
        gt_dir = self.data_prefix['gt']
        for token in tokens:
            if self.index_mode == 'name':
                names.append(token if token.lower().endswith('.mat') else f'{token}.mat')
                continue
            try:
                index = int(token)
            except ValueError:
                raise DatasetValidationError(
                    f'split file {self.ann_file!r}: index {token!r} is not an integer '
                    "(use index_mode='name' for file-stem tokens)") from None
            if not 0 <= index < len(gt_names):
                raise DatasetValidationError(
                    f'split file {self.ann_file!r}: index {index} out of range; HR LST folder '
                    f'{gt_dir!r} holds {len(gt_names)} .mat files (valid 0..'
                    f'{len(gt_names) - 1})')
            names.append(gt_names[index])
        return names

    def load_data_list(self) -> List[dict]:
        """Read the split file and pair LR LST, HR LST and HR guidance by file name.

        Returns:
            list[dict]: one entry per split line, keys as in the class docstring.

        Raises:
            FileNotFoundError: split file / folder missing, or a file missing in a folder
                (the message names the index, the file name and the folder).
            ValueError: empty split file, non-integer or out-of-range index.
        """
        tokens = read_split_file(self.ann_file)
        roles = dict(gt='HR LST', lr=f'LR LST (x{self.scale})', guidance='HR guidance')
        listing = {key: _mat_names(folder, roles[key])
                   for key, folder in self.data_prefix.items()}
        if self.index_mode == 'sorted':
            differing = [self.data_prefix[k] for k in listing
                         if set(listing[k]) != set(listing['gt'])]
            if differing:
                print_log(
                    f'GrokLSTDataset: folders {differing} do not hold the same .mat names as '
                    f'{self.data_prefix["gt"]!r}; split indices are resolved on the HR LST '
                    'folder and files are paired by name.', logger='current', level=logging.WARNING)
        names = self._resolve_names(tokens, listing['gt'])
        present = {key: set(names_) for key, names_ in listing.items()}

        data_list = []
        for token, name in zip(tokens, names):
            for key, folder in self.data_prefix.items():
                if name not in present[key]:
                    raise FileNotFoundError(
                        f'split file {self.ann_file!r}: index {token!r} -> {name!r} has no file '
                        f'in the {roles[key]} folder {folder!r}')
            data_list.append(dict(
                lr_path=osp.join(self.data_prefix['lr'], name),
                gt_path=osp.join(self.data_prefix['gt'], name),
                guidance_path=(osp.join(self.data_prefix['guidance'], name)
                               if self.use_guidance else None),
                scale=self.scale,
                guidance_bands=list(self.guidance_bands),
                sample_id=str(token),
                tile_name=osp.splitext(name)[0],
                lr_format='mat'))
        if self.validate:
            self.validate_files(data_list)
        return data_list

    def validate_files(self, data_list: List[dict]) -> None:
        """Check every file of ``data_list`` once (cached per file state).

        Per sample: the LR and HR LST files hold a 2-D numeric ``data`` variable, the HR is
        ``scale`` x the LR size, the guidance file holds every band of ``guidance_bands`` at
        the HR size (all from the ``.mat`` headers), and the LR and HR LST values are in
        Kelvin (:func:`~groklst.datasets.validation.check_lst_values` with ``lst_range``).

        Raises:
            DatasetValidationError: as listed in the class docstring.
        """
        params = [self.scale, list(self.guidance_bands), list(self.lst_range)]
        root = self.data_root or '.'

        def check(item: dict) -> None:
            paths = [item['lr_path'], item['gt_path']] + (
                [item['guidance_path']] if item['guidance_path'] else [])
            cached_check('groklst-sample', paths, params, lambda: self._check_sample(item))

        collect_file_errors(
            data_list, check, f'GrokLSTDataset split {self.split!r} at x{self.scale}',
            hint=f'list them all with: python tools/dataset_converters/check_dataset.py {root} '
                 f'--scale {self.scale}')

    def _check_sample(self, item: dict) -> bool:
        """The checks of :meth:`validate_files` for one sample (uncached)."""
        lr_path, gt_path, g_path = item['lr_path'], item['gt_path'], item['guidance_path']
        lr_hw = check_mat_variable(read_mat_header(lr_path), lr_path, GROKLST_LST_VARIABLE)
        gt_hw = check_mat_variable(read_mat_header(gt_path), gt_path, GROKLST_LST_VARIABLE)
        want = (lr_hw[0] * self.scale, lr_hw[1] * self.scale)
        if tuple(gt_hw) != want:
            raise DatasetValidationError(
                f'{gt_path} is {gt_hw[0]} x {gt_hw[1]} but {lr_path} is {lr_hw[0]} x '
                f'{lr_hw[1]}: at scale {self.scale} the HR LST must be {want[0]} x {want[1]} '
                f'(scale mismatch: is {osp.dirname(lr_path)!r} the x{self.scale} level?)')
        if g_path:
            header = read_mat_header(g_path)
            missing = [b for b in self.guidance_bands if b not in header]
            if missing:
                raise DatasetValidationError(
                    f'guidance band(s) {missing} not found in {g_path!r}; variables present: '
                    f'{list(header)}')
            for band in self.guidance_bands:
                hw = check_mat_variable(header, g_path, band)
                if tuple(hw) != tuple(gt_hw):
                    raise DatasetValidationError(
                        f'guidance band {band!r} of {g_path} is {hw[0]} x {hw[1]} but the HR '
                        f'LST {gt_path} is {gt_hw[0]} x {gt_hw[1]}')
        for path in (lr_path, gt_path):
            check_lst_values(read_mat_lst(path), path, self.lst_range,
                             band=GROKLST_LST_VARIABLE)
        return True
