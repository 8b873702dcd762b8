"""Models: downscaling wrappers, generators (backbones), fusion necks, reconstruction and
regression heads, shared layers, losses, classic baselines, retrieval models and fine-tuning
strategies."""
from . import (backbones, classic, data_preprocessors, downscalers, finetune,  # noqa: F401
               heads, losses, necks, retrievers)
