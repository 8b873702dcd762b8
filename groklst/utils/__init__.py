"""Environment set-up and MMEngine compatibility."""
from .compat import (init_cpu_distributed, patch_mmengine, prepare_cfg_for_device,
                     shutdown_distributed)
from .setup_env import register_all_modules

__all__ = ['patch_mmengine', 'init_cpu_distributed', 'prepare_cfg_for_device',
           'register_all_modules', 'shutdown_distributed']
