"""MMEngine 0.10.7 compatibility, in one place.

1. Checkpoints under torch >= 2.6: ``torch.load`` defaults to ``weights_only=True``, which rejects
   the message-hub and config objects MMEngine stores beside the weights. We register a local-file
   loader that loads with ``weights_only=False``. Only local files pass through it: checkpoints are
   the user's own training output; never load checkpoints from untrusted sources.
2. CPU distributed training (gloo): MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` and its
   DDP wrapper passes ``device_ids=[LOCAL_RANK]``; both fail without CUDA. ``init_cpu_distributed``
   initializes the gloo process group before the Runner (so the Runner skips its own init) and
   ``prepare_cfg_for_device`` sets ``device_ids=None`` in the model wrapper.
"""
import os
import os.path as osp

import torch

_PATCHED = False


def _load_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint file (a dict) with ``weights_only=False``.

    Raises:
        FileNotFoundError: the file does not exist.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} not found')
    return torch.load(filename, map_location=map_location, weights_only=False)


def patch_mmengine() -> None:
    """Register the local checkpoint loader (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(_load_local_checkpoint)
    _PATCHED = True


def init_cpu_distributed(launcher: str) -> None:
    """Initialize a gloo process group for ``launcher='pytorch'`` when CUDA is unavailable.

    Reads RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set by torchrun. With CUDA available nothing is
    done and MMEngine initializes NCCL as usual.
    """
    import torch.distributed as dist
    if launcher == 'none' or torch.cuda.is_available() or dist.is_initialized():
        return
    if launcher != 'pytorch':
        raise ValueError(f"CPU distributed runs support launcher 'pytorch' (torchrun), "
                         f'got {launcher!r}')
    dist.init_process_group(backend='gloo', rank=int(os.environ['RANK']),
                            world_size=int(os.environ['WORLD_SIZE']))


def shutdown_distributed() -> None:
    """Wait for every rank, then destroy the default process group (no-op when not distributed).

    Without it a gloo rank that finishes first can exit while its peer's communication threads are
    still alive, and the C++ runtime aborts the process (``terminate called without an active
    exception``, SIGABRT) after a successful run.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def prepare_cfg_for_device(cfg) -> None:
    """Adapt a config in place for a CPU-only machine: DDP without device ids, gloo backend."""
    if torch.cuda.is_available():
        return
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    env = cfg.get('env_cfg') or {}
    env.setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.env_cfg = env
