"""Tiled scene inference on CUDA equals the CPU result (issue 17 §1): tolerance 1e-3 K (float32,
TF32 off; cuDNN and oneDNN sum in different orders)."""
import numpy as np
import pytest

from groklst.apis.inference import downscale_scene
from tests.fixtures.checkpoints import build_downscaler
from tests.fixtures.devices import DEVICES, TINY_MOCOLSK, strict_fp32


def _model():
    return build_downscaler(TINY_MOCOLSK).eval()


@pytest.mark.parametrize('device', DEVICES)  # on the CPU: the same code path, CPU vs CPU
def test_tiled_scene_on_device_equals_cpu(device):
    rng = np.random.default_rng(0)
    lr = (290 + 5 * rng.standard_normal((20, 24))).astype(np.float32)
    lr[3, 4] = np.nan  # a no-data pixel
    guidance = rng.standard_normal((3, 80, 96)).astype(np.float32)
    with strict_fp32():
        ref = downscale_scene(_model(), lr, guidance, tile=32, overlap=8, batch=3,
                              progress=False)
        out = downscale_scene(_model().to(device), lr, guidance, tile=32, overlap=8, batch=3,
                              progress=False)
    assert out.shape == ref.shape == (80, 96)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))
    assert np.isnan(ref).sum() == 16  # the 4 x 4 block of the no-data pixel
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-3, equal_nan=True)
