"""groklst: an MMEngine toolkit for land surface temperature downscaling and retrieval."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    path = osp.join(HERE, 'requirements', name)
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith('#')]


setup(
    name='groklst',
    version='0.1.0',
    description='Land surface temperature downscaling (MoCoLSK-Net and baselines) and retrieval '
                'on MMEngine',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'configs.*', 'tools',
                                    'tools.*')),
    python_requires='>=3.9',
    install_requires=read_requirements('runtime.txt'),
    extras_require={
        'dev': read_requirements('tests.txt'),
        'retrieval': read_requirements('optional.txt'),
    },
    license='Apache-2.0',
)
