"""Data transforms; each registered in ``groklst.registry.TRANSFORMS``."""
from .augment import PadBands, PairedFlipRot, PairedRandomCrop, RandomBandDrop
from .degradation import BoxDegradation, SensorDegradation
from .formatting import PackLSTInputs
from .loading import LoadLSTSample, NormalizeGuidance

__all__ = ['LoadLSTSample', 'NormalizeGuidance', 'PairedRandomCrop', 'PairedFlipRot',
           'RandomBandDrop', 'PadBands', 'PackLSTInputs', 'BoxDegradation',
           'SensorDegradation']
