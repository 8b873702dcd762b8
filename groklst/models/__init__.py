"""Models: downscaling wrappers, generators (backbones), shared layers, losses, classic baselines,
retrieval heads and fine-tuning strategies."""
from . import (backbones, classic, data_preprocessors, downscalers, finetune,  # noqa: F401
               losses, retrievers)
