"""AHMF (Zhong et al., TIP 2021): the multi-modal attention block and the convolutional GRU
by hand."""
import torch

from groklst.models.backbones.gisr.ahmf import ConvGRU, MultiModalAttention


def test_multimodal_attention_open_gates_halve_features():
    """MMAB with saturated gates (bias +50) returns (lst / 2, guide / 2), by hand."""
    mmab = MultiModalAttention(4, reduction=4)
    with torch.no_grad():
        for gate in (mmab.gate_lst, mmab.gate_guide):
            gate[0].weight.zero_()
            gate[0].bias.fill_(50.0)
    lst, guide = torch.randn(2, 4, 5, 5), torch.randn(2, 4, 5, 5)
    out_lst, out_guide = mmab(lst, guide)
    assert torch.allclose(out_lst, lst / 2) and torch.allclose(out_guide, guide / 2)


def test_conv_gru_closed_update_gate_keeps_zero_state():
    """z = sigmoid(-50) ~ 0: h' = (1 - z) h + z n stays at the zero initial state."""
    gru = ConvGRU(3, num_layers=2)
    with torch.no_grad():
        for cell in gru.cells:
            cell.update.weight.zero_()
            cell.update.bias.fill_(-50.0)
    states = gru([torch.randn(1, 3, 4, 4) for _ in range(3)])
    assert len(states) == 3 and all(s.abs().max() < 1e-12 for s in states)
