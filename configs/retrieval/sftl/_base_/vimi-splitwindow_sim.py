# SFTL domains on simulated GF5-02 VIMI samples (Heidarian et al. 2025, Remote Sens. 17:3803).
# Split-window pair B11/B12 (10.80 / 11.95 um); inputs BT_a, BT_b, WVC, dBT, WVC x dBT -> LST (K).
# One simulation (60 000 samples, seed 0, all six surface classes) serves both domains; the
# 80/10/10 split is drawn before the filters, so source and target never share a sample.
#  - source (stage 1): natural surfaces, every profile (the experiment script additionally
#    drops the dry mid-latitude profiles; RetrievalDataset has no exclusion filter);
#  - target (stage 2): dry mid-latitude profiles, soil / rock / man-made surfaces, 300 training
#    samples. The calibration bias of tools/retrieval/sftl_experiment.py is not applied here
#    (RetrievalDataset has no BT offset option).
simulation = dict(sensor='gf5_vimi_tir', n_samples=60000, seed=0,
                  surface_classes=('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water'))
input_names = ['bt:B11', 'bt:B12', 'wvc', 'dbt:B11-B12', 'wvc*dbt:B11-B12']
target_names = ['lst']
_ds = dict(type='RetrievalDataset', simulation=simulation, inputs=input_names,
           targets=target_names, split_ratios=(0.8, 0.1, 0.1))
source = dict(_ds, surface_classes=['npv', 'rock', 'soil', 'vegetation', 'water'])
target = dict(_ds, profile_domain='dry_midlatitudes', surface_classes=['soil', 'rock', 'manmade'])
source_train = dict(source, split='train', max_samples=20000)
source_val = dict(source, split='val', max_samples=2000, test_mode=True)
source_test = dict(source, split='test', test_mode=True)
target_train = dict(target, split='train', max_samples=300)
target_val = dict(target, split='val', max_samples=100, test_mode=True)
target_test = dict(target, split='test', test_mode=True)
val_evaluator = dict(type='RetrievalMetric')
test_evaluator = dict(type='RetrievalMetric')
