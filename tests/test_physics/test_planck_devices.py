"""Planck and RTE torch functions on every device and precision (issue 17 §1): finite over
180-350 K in float32, float16 / bfloat16 inputs computed in float32 (no overflow), and under
autocast."""
import numpy as np
import pytest
import torch

from groklst.models.retrievers.pinn_retriever import band_planck
from groklst.physics.planck import planck_bt_torch, planck_radiance, planck_radiance_torch
from groklst.physics.rte import rte_forward_torch, rte_inverse_torch
from tests.fixtures.devices import DEVICES

TEMPS = np.linspace(180.0, 350.0, 69)


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize('wavelength', [3.9, 10.9, 12.0])  # MIR (exp up to 8e8) and TIR
def test_spectral_planck_finite_and_accurate(device, dtype, wavelength):
    temp = torch.tensor(TEMPS, dtype=dtype, device=device)
    rad = planck_radiance_torch(wavelength, temp)
    # half precision in, float32 out: lambda**5 = 1.6e5 at 12 um overflows float16
    assert rad.dtype == torch.float32 and rad.device == temp.device
    assert torch.isfinite(rad).all() and (rad > 0).all()
    exact = planck_radiance(wavelength, temp.double().cpu().numpy())
    np.testing.assert_allclose(rad.cpu().numpy(), exact, rtol=1e-5)
    back = planck_bt_torch(wavelength, rad)
    assert back.dtype == torch.float32
    np.testing.assert_allclose(back.cpu().numpy(), temp.double().cpu().numpy(), atol=1e-3)
    # a half-precision radiance too
    back_half = planck_bt_torch(wavelength, rad.to(dtype))
    assert back_half.dtype == torch.float32 and torch.isfinite(back_half).all()


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', [torch.float32, torch.float16, torch.bfloat16])
def test_band_planck_and_rte_finite_under_autocast(device, dtype):
    band = band_planck('landsat8_tirs', 'B10')
    autocast_dtype = torch.bfloat16 if dtype == torch.float32 else dtype
    temp = torch.tensor(TEMPS, dtype=dtype, device=device, requires_grad=True)
    if device == 'cpu' and autocast_dtype == torch.float16:
        autocast_dtype = torch.bfloat16
    with torch.autocast(device, dtype=autocast_dtype):
        rad = band.radiance_torch(temp)
        l_sen = rte_forward_torch(band, temp, 0.97, 0.8, 1.2, 2.0)
        lst = rte_inverse_torch(band, l_sen, 0.97, 0.8, 1.2, 2.0)
    assert rad.dtype in (torch.float32, torch.float64) and torch.isfinite(rad).all()
    np.testing.assert_allclose(rad.detach().cpu().double().numpy(),
                               band.radiance(temp.detach().double().cpu().numpy()), rtol=1e-5)
    assert torch.isfinite(l_sen).all() and torch.isfinite(lst).all()
    np.testing.assert_allclose(lst.detach().cpu().double().numpy(),
                               temp.detach().double().cpu().numpy(), atol=1e-2)
    lst.sum().backward()  # dLST/dT = 1 through the forward and inverse RTE
    assert torch.isfinite(temp.grad).all()
    np.testing.assert_allclose(temp.grad.float().cpu().numpy(), 1.0, atol=1e-2)
