# DJF on GrokLST at x4 (120 m -> 30 m), the paper's setting (the generator's
# defaults); paper, settings and reproduced tables: README.md.
_base_ = ['../../_base_/experiments/gisr_x4_4xb1-10k_groklst.py']
model = dict(residual=None, generator=dict(type='DJF'))
