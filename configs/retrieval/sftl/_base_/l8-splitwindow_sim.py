# SFTL domains on simulated Landsat-8 TIRS samples (paper: ../README.md): the domains of
# vimi-splitwindow_sim.py for the Landsat-8 split-window pair B10 / B11 (10.9 / 12.0 um), as
# tools/retrieval/sftl_experiment.py --sensor landsat8_tirs builds them.
# Inputs BT10, BT11, WVC, dBT, WVC x dBT -> LST (K), no emissivity (as in the paper).
# One simulation (60 000 samples, seed 0, all six surface classes) serves every domain; the
# 80/10/10 split is drawn before the filters, so the domains never share a sample:
#  - source S (stage 1): natural surfaces, every profile except the dry mid-latitude ones;
#  - target A (stage 2): dry mid-latitude profiles, soil / rock / man-made surfaces, a BT
#    calibration bias of +0.8 K (B10) and +0.3 K (B11), 300 training samples;
#  - cross domain B (stage 3, `cross_test`): humid-tropical profiles, vegetation / npv / water,
#    the same bias, never trained on.
simulation = dict(sensor='landsat8_tirs', n_samples=60000, seed=0,
                  surface_classes=('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water'))
input_names = ['bt:B10', 'bt:B11', 'wvc', 'dbt:B10-B11', 'wvc*dbt:B10-B11']
target_names = ['lst']
_ds = dict(type='RetrievalDataset', simulation=simulation, inputs=input_names,
           targets=target_names, split_ratios=(0.8, 0.1, 0.1), profile_domain=None,
           exclude_profile_domains=None, bt_bias={})
bt_bias = {'B10': 0.8, 'B11': 0.3}
source = dict(_ds, surface_classes=['npv', 'rock', 'soil', 'vegetation', 'water'],
              exclude_profile_domains=['dry_midlatitudes'])
target = dict(_ds, profile_domain='dry_midlatitudes', surface_classes=['soil', 'rock', 'manmade'],
              bt_bias=bt_bias)
cross_test = dict(_ds, profile_domain='humid_tropics',
                  surface_classes=['vegetation', 'npv', 'water'], bt_bias=bt_bias,
                  split='test', test_mode=True)
source_train = dict(source, split='train', max_samples=20000)
source_val = dict(source, split='val', max_samples=2000, test_mode=True)
source_test = dict(source, split='test', test_mode=True)
target_train = dict(target, split='train', max_samples=300)
target_val = dict(target, split='val', max_samples=100, test_mode=True)
target_test = dict(target, split='test', test_mode=True)
# Loaders of stage 1 (source domain).
train_dataloader = dict(batch_size=256, num_workers=0, persistent_workers=False,
                        sampler=dict(type='InfiniteSampler', shuffle=True), dataset=source_train)
val_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False,
                      drop_last=False, sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=source_val)
test_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False,
                       drop_last=False, sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=source_test)
val_evaluator = dict(type='RetrievalMetric')
test_evaluator = dict(type='RetrievalMetric')
