"""Hand-worked examples of the downscaling metrics, shared by the tests of the functional metrics
and of LSTMetric (definitions: Dai et al., GrokLST, IEEE TGRS 2025, Eq. 11-16; RSD with n-1
standard deviations)."""
import math

# Example A: pred = [1, 2, 3, 4], ref = [1, 3, 2, 5]
#   d = pred - ref = [0, -1, 1, -1]
#   RMSE = sqrt((0 + 1 + 1 + 1) / 4) = sqrt(3/4) = 0.8660254
#   MAE  = (0 + 1 + 1 + 1) / 4 = 0.75
#   BIAS = (0 - 1 + 1 - 1) / 4 = -0.25
#   mean p = 2.5, mean r = 2.75
#   dp = [-1.5, -0.5, 0.5, 1.5], dr = [-1.75, 0.25, -0.75, 2.25]
#   Σdp·dr = 2.625 - 0.125 - 0.375 + 3.375 = 5.5 ; Σdp² = 5 ; Σdr² = 8.75
#   CC  = 5.5 / sqrt(5 * 8.75) = 5.5 / sqrt(43.75) = 0.8315218
#   σp = sqrt(5/3), σr = sqrt(8.75/3)  ->  RSD = 1 - sqrt(5/8.75) = 1 - sqrt(4/7) = 0.2440710
P_A = [1.0, 2.0, 3.0, 4.0]
R_A = [1.0, 3.0, 2.0, 5.0]
EXP_A = dict(RMSE=math.sqrt(3 / 4), MAE=0.75, BIAS=-0.25, CC=5.5 / math.sqrt(43.75),
             RSD=1 - math.sqrt(4 / 7))

# Example B: pred = [10, 12], ref = [11, 15]
#   d = [-1, -3]: RMSE = sqrt((1 + 9) / 2) = sqrt(5), MAE = 2, BIAS = -2
#   dp = [-1, 1], dr = [-2, 2]: CC = 4 / sqrt(2 * 8) = 1
#   σp = sqrt(2 / 1) = √2, σr = sqrt(8 / 1) = 2√2: RSD = |√2 - 2√2| / 2√2 = 0.5
P_B = [10.0, 12.0]
R_B = [11.0, 15.0]
EXP_B = dict(RMSE=math.sqrt(5), MAE=2.0, BIAS=-2.0, CC=1.0, RSD=0.5)

# Pooled A ∪ B (6 pixels): p = [1, 2, 3, 4, 10, 12], r = [1, 3, 2, 5, 11, 15]
#   Σd² = 3 + 10 = 13 -> RMSE = sqrt(13/6) ; Σ|d| = 3 + 4 = 7 -> MAE = 7/6 ; Σd = -1 - 4 = -5
#   -> BIAS = -5/6
#   Σp = 32, Σr = 37, Σp² = 274, Σr² = 385, Σpr = 323
#   Sxx = 274 - 32²/6 = 310/3 ; Syy = 385 - 37²/6 = 941/6 ; Sxy = 323 - 32·37/6 = 377/3
#   CC = (377/3) / sqrt((310/3)(941/6)) ; RSD = 1 - sqrt(Sxx/Syy) = 1 - sqrt(620/941)
EXP_POOLED_AB = dict(RMSE=math.sqrt(13 / 6), MAE=7 / 6, BIAS=-5 / 6,
                     CC=(377 / 3) / math.sqrt((310 / 3) * (941 / 6)),
                     RSD=1 - math.sqrt(620 / 941))
