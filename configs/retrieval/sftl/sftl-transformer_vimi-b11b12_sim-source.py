# SFTL stage 1: pre-train the tabular Transformer (feature tokens + [CLS], d 32, 2 blocks,
# 4 heads) on the simulated VIMI source domain.
#   python tools/train.py configs/retrieval/sftl/sftl-transformer_vimi-b11b12_sim-source.py
_base_ = ['./sftl-dnn_vimi-b11b12_sim-source.py']

model = dict(_delete_=True, type='TransformerRetriever',
             input_names={{_base_.input_names}}, target_names={{_base_.target_names}},
             dim=32, depth=2, num_heads=4, mlp_ratio=2.0,
             norm=dict(dataset={{_base_.source_train}}))
