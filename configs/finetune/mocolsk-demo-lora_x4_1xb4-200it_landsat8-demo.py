# LoRA fine-tuning of the CPU-sized MoCoLSK-Net of the Landsat-8 demo (x4, 120 m -> 30 m).
# The pre-trained model is the demo's (`make demo` writes work_dirs/demo/mocolsk/); LoRA
# (README.md, through peft) adapts the 3x3 convolutions of every RCAB (rank 4,
# alpha 8); the reconstruction head `generator.head` is trained in full; everything else is
# frozen (~14 % of the parameters train). `load_from` loads the plain pre-trained checkpoint (the
# demo's last one; pass a best_RMSE_iter_*.pth with --cfg-options load_from=...) into
# the wrapped layout (FinetuneModel renames `x.weight` -> `x.base_layer.weight`).
#   python tools/train.py configs/finetune/mocolsk-demo-lora_x4_1xb4-200it_landsat8-demo.py
# Export merged weights (plain MoCoLSK-Net keys): FinetuneModel.export() (see docs/retrieval.md,
# section SFTL, "Fine-tuning strategies").
_base_ = ['../mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py']

model = dict(
    _delete_=True,
    type='FinetuneModel',
    model={{_base_.model}},
    finetune=dict(strategy='lora', r=4, alpha=8, dropout=0.0,
                  target_modules=['generator.*_groups.*.body.*.body.[02]',
                                  'generator.reconstruction.*.body.*.body.[02]'],
                  trainable_modules=['generator.head']))
load_from = 'work_dirs/demo/mocolsk/iter_800.pth'  # last checkpoint of the demo run

max_iters = 200
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=50)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-4,
                                                         weight_decay=0.0))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
                       eta_min=1e-6)
