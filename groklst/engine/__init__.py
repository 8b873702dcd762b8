"""Engine extensions (hooks, optimizer wrappers) registered in groklst's registries."""
from .hooks import (GradualUnfreezeHook, LSTVisualizationHook, RNGStateHook,
                    TrainProgressBarHook)
from .optim_wrappers import CPUBF16OptimWrapper

__all__ = ['CPUBF16OptimWrapper', 'GradualUnfreezeHook', 'LSTVisualizationHook', 'RNGStateHook',
           'TrainProgressBarHook']
