# SRFBN on GrokLST at x4 in the setting of the GrokLST implementation, which produced
# GrokLST's Table IX (parameter count as that implementation; README.md).
_base_ = ['./srfbn_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(num_features=32, num_groups=3))
