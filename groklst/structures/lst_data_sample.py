"""Per-sample annotation container that travels beside the stacked input tensors."""
from mmengine.structures import BaseDataElement


class LSTDataSample(BaseDataElement):
    """Ground truth, validity and predictions of one downscaling sample.

    Data fields (all ``torch.Tensor``; ``H, W`` = HR size, ``h, w = H/s, W/s`` = LR size):

    - ``gt_lst``: (1, H, W) float32, reference HR LST in K (invalid pixels hold a finite fill).
    - ``gt_mask``: (1, H, W) bool, True where ``gt_lst`` is valid (clear sky, physical range).
    - ``lr_mask``: (1, h, w) bool, True where the LR LST input is valid.
    - ``pred_lst``: (1, H, W) float32, the model's HR LST in K (set by ``predict``).
    - ``lr_lst``: (1, h, w) float32 in K, kept for visualization.

    Meta fields: ``scale`` (int), ``sample_id`` (str), and where known ``crs``/``transform``
    (georeferencing of the HR tile) and ``lr_path``/``hr_path``/``guidance_path``.
    """
