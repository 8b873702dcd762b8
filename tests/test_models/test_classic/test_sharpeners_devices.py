"""The classical sharpeners given tensors on a device (issue 17 §1): they may compute on the
CPU, the result comes back on the input's device with the input's dtype; on CUDA it equals the
CPU result."""
import pytest
import torch

from groklst.models.classic.distrad import DisTrad
from groklst.models.classic.dms import DMS
from groklst.models.classic.pixtransform_fit import PixTransformFit
from groklst.models.classic.tsharp import TsHARP
from groklst.models.layers.resample import block_mean
from tests.fixtures.devices import DEVICES, strict_fp32
from tests.fixtures.small_inputs import S, sharpener_scene

SHARPENERS = {
    'tsharp': lambda: TsHARP(scale=S, ndvi_band=3),
    'distrad': lambda: DisTrad(scale=S, ndvi_band=3),
    'dms': lambda: DMS(scale=S, regressor='tree', window_size=0, min_samples=10,
                       min_samples_leaf=2),
    'pixtransform': lambda: PixTransformFit(scale=S, num_steps=20),
}


def _scene():
    """float32 LR (1, 1, 8, 8) K and guidance (1, 4, 32, 32) of :func:`sharpener_scene`."""
    guidance, ndvi = (t.float() for t in sharpener_scene())
    hr = 305.0 - 10.0 * ndvi + 0.5 * guidance[:, :1]
    return block_mean(hr, S), guidance


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('name', sorted(SHARPENERS))
def test_result_on_input_device_and_equal_to_cpu(name, device):
    lr, guidance = _scene()
    mask = torch.ones_like(lr, dtype=torch.bool)
    with strict_fp32():
        ref = SHARPENERS[name]().sharpen(lr, guidance, mask)
        out = SHARPENERS[name]().sharpen(lr.to(device), guidance.to(device), mask.to(device))
    assert out.device.type == device and out.dtype == lr.dtype
    assert out.shape == (1, 1, S * 8, S * 8) and torch.isfinite(out).all()
    # the same fit (PixTransform: same seed and batches, drawn on the CPU): 1e-3 K; PixTransform's
    # 20 Adam steps let rounding differences of the devices grow: 0.05 K
    atol = 0.05 if name == 'pixtransform' else 1e-3
    torch.testing.assert_close(out.cpu(), ref, rtol=0, atol=atol)
