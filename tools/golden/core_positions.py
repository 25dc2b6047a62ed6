"""Goldens for absolute position encodings (axlearn-core): SinusoidalPositionEmbeddingTest.

Sinusoidal encodings of Vaswani et al. 2017 (section 3.5) in the form of the PyTorch tutorials:
pe[p, 0::2] = sin(p * div), pe[p, 1::2] = cos(p * div), div = exp(-log(max_timescale) * 2i / dim),
computed in float64 and stored as float32, for positions offset .. offset + length - 1.
"""
import math

import torch

from golden_common import golden_dir, save


def sinusoidal(offset, length, dim, max_timescale=10000.0):
    pos = torch.arange(offset, offset + length, dtype=torch.float64)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * (-math.log(max_timescale) / dim))
    pe = torch.zeros(length, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe.float()


out = golden_dir("axlearn-core", "SinusoidalPositionEmbeddingTest")
for name, offset, length, dim, timescale in (("paper", 0, 12, 8, 10000.0), ("offset", 5, 4, 6, 100.0)):
    save(f"{out}/{name}.safetensors", {"outputs/y": sinusoidal(offset, length, dim, timescale)},
         {"offset": offset, "length": length, "dim": dim, "maxTimescale": timescale})
