# SFTL stage 3: the LoRA-fine-tuned DNN of stage 2 tested on the cross domain B (humid-tropical
# profiles, vegetation / npv / water, same calibration bias; never seen in training):
#   python tools/test.py configs/retrieval/sftl/sftl-dnn-lora_vimi-b11b12_sim-cross.py \
#       work_dirs/sftl-dnn-lora_vimi-b11b12_sim-target/best_RMSE_iter_<N>.pth
_base_ = ['./sftl-dnn-lora_vimi-b11b12_sim-target.py']

test_dataloader = dict(dataset={{_base_.cross_test}})
