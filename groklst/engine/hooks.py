"""Hooks: PNG panels of test predictions; torch RNG state carried through checkpoints; gradual
unfreezing of a fine-tuned model."""
import os.path as osp
from typing import Optional, Sequence, Union

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from groklst.models.finetune.strategies import (GradualUnfreezer, freeze_all,
                                                get_gradual_unfreezer)
from groklst.registry import HOOKS


@HOOKS.register_module()
class LSTVisualizationHook(Hook):
    """Save one PNG panel per test sample: LR | prediction | reference | error (K, colour bars).

    Args:
        out_dir: folder of the PNG files (created if missing).
        max_samples: stop after this many panels (None = all).
    """

    def __init__(self, out_dir: str, max_samples: Optional[int] = None) -> None:
        self.out_dir = out_dir
        self.max_samples = max_samples
        self._count = 0

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        from groklst.visualization import save_lst_panel
        for sample in outputs or []:
            if self.max_samples is not None and self._count >= self.max_samples:
                return
            name = str(sample.metainfo.get('sample_id', self._count))
            gt = sample.get('gt_lst')
            save_lst_panel(
                osp.join(self.out_dir, f'{name}.png'),
                lr=sample.lr_lst[0].cpu().numpy(), pred=sample.pred_lst[0].cpu().numpy(),
                ref=None if gt is None else gt[0].cpu().numpy(),
                ref_mask=None if gt is None else sample.gt_mask[0].cpu().numpy(),
                lr_mask=sample.lr_mask[0].cpu().numpy(), title=name)
            self._count += 1


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Carry torch's global random state through checkpoints so ``--resume`` continues exactly.

    MMEngine re-seeds on resume and replays the data loader for the skipped iterations, which
    restores the data order (the transforms draw from numpy, the sampler from its own
    generator) but not the global torch generator that dropout and DropPath draw from. This
    hook stores ``torch.get_rng_state()`` under ``'torch_rng_state'`` when a checkpoint is saved
    and restores it when one is loaded; numpy's state is left to the replay on purpose
    (restoring it as well would shift the data order). Checkpoints without the key load as
    before.
    """

    KEY = 'torch_rng_state'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add the CPU torch generator state (a uint8 tensor) to ``checkpoint``."""
        checkpoint[self.KEY] = torch.get_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the state saved by :meth:`before_save_checkpoint`, when present."""
        state = checkpoint.get(self.KEY)
        if state is not None:
            torch.set_rng_state(state)


@HOOKS.register_module()
class GradualUnfreezeHook(Hook):
    """Before every training iteration, set which layer groups train (Howard & Ruder, ACL 2018).

    Uses the schedule attached by ``apply_finetune(strategy='gradual')`` (e.g. through
    ``FinetuneModel``); or, with ``groups`` and ``interval`` given here, builds one on the plain
    model at ``before_train`` (then ``load_from=PRETRAINED.pth`` needs no wrapper). Frozen
    parameters stay in the optimizer; they receive no gradient, so Adam/SGD skip them until
    they are unfrozen.

    Args:
        groups: module patterns from the head backwards (see ``GradualUnfreezer``).
        interval: iterations between unfreezing steps.

    Raises:
        RuntimeError: no schedule on the model and no ``groups`` / ``interval`` here.
    """

    priority = 'HIGH'

    def __init__(self, groups: Optional[Sequence[Union[str, Sequence[str]]]] = None,
                 interval: Optional[int] = None) -> None:
        self.groups = groups
        self.interval = interval
        self.unfreezer: Optional[GradualUnfreezer] = None

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if self.groups is not None:
            if self.interval is None:
                raise RuntimeError('GradualUnfreezeHook: groups given without interval')
            freeze_all(model)
            self.unfreezer = GradualUnfreezer(model, self.groups, self.interval)
            return
        inner = getattr(model, 'model', model)
        self.unfreezer = get_gradual_unfreezer(inner) or get_gradual_unfreezer(model)
        if self.unfreezer is None:
            raise RuntimeError("GradualUnfreezeHook: the model has no gradual schedule; use "
                               "finetune=dict(strategy='gradual', ...) or give groups and "
                               'interval to the hook')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        n = self.unfreezer.step(runner.iter)
        if runner.iter % self.unfreezer.interval == 0:
            runner.logger.info(f'gradual unfreezing: {n}/{len(self.unfreezer.params)} groups '
                               f'trainable at iteration {runner.iter}')


@HOOKS.register_module()
class TrainProgressBarHook(Hook):
    """A tqdm progress bar over the training iterations (rank 0), with the last loss.

    MMEngine's ``LoggerHook`` still writes the full log; the bar shows where a run stands
    between its log lines (e.g. ``tools/fit_scenes.py``).

    Args:
        desc: label of the bar.
    """

    priority = 'VERY_LOW'

    def __init__(self, desc: str = 'training') -> None:
        self.desc = desc
        self._bar = None

    def before_train(self, runner) -> None:
        from tqdm import tqdm
        if runner.rank == 0:
            total = runner.max_iters
            self._bar = tqdm(total=total, initial=runner.iter, desc=self.desc, unit='it',
                             dynamic_ncols=True)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._bar is None:
            return
        self._bar.update(1)
        if outputs and 'loss' in outputs:
            loss = outputs['loss']
            loss = float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)
            self._bar.set_postfix(loss=f'{loss:.4f}', refresh=False)

    def after_train(self, runner) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
