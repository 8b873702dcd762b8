# Guided downscaling on the Landsat-8 demo at x4 (120 m LST + 30 m guidance -> 30 m LST): batch 4
# of 64x64 HR patches, the 800-iteration CPU schedule (2 cores), validation every 50 iterations,
# a checkpoint every 100, best checkpoint on val (the test split is read by tools/test.py only).
# The generator gets the dataset's K guidance bands; a model config adds its generator and the
# Downscaler's `residual`; the loss is the Downscaler's default (masked L1).
_base_ = ['../default_runtime.py', '../datasets/landsat8-demo_x4.py',
          '../schedules/schedule_cpu-demo.py']
model = dict(type='Downscaler', scale={{_base_.scale}},
             lst_norm=dict(stats_file={{_base_.stats_file}}),
             generator=dict(scale={{_base_.scale}}, guidance_channels={{_base_.num_guidance}}))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
