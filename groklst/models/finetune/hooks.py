"""``GradualUnfreezeHook``: advances gradual unfreezing with the Runner's iteration."""
from typing import Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from groklst.registry import HOOKS

from .strategies import GradualUnfreezer, freeze_all, get_gradual_unfreezer

__all__ = ['GradualUnfreezeHook']


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
