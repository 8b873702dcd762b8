# Omni-SR in GrokLST's setting on GrokLST at x8 (240 m -> 30 m); everything else as
# the x4 config.
_base_ = ['./omnisr_groklst-settings_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
