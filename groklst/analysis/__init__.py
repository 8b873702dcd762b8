"""Analysis of models and runs: cost (parameters, FLOPs, latency), CPU inference and model-zoo
benchmarks, and MMEngine training logs. The library side of ``tools/analysis/``."""
