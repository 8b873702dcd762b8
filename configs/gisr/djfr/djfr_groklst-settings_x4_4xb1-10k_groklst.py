# DJFR on GrokLST at x4 in the setting of the GrokLST implementation, which produced
# GrokLST's Table IX (parameter count as that implementation; README.md).
_base_ = ['./djfr_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(branch_channels=(96, 48, 3)))
