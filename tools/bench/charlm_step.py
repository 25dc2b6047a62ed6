"""The text.charlm model and train step in PyTorch eager, for tools/bench/compare.

Mirrors `CausalLm.gpt(256, dim, layers, heads, 4.0, 0.0)` (examples/.../CharLmExperiments):
byte vocabulary 256, token embedding tied to the output (logits = h @ E^T), rotary position
embeddings on queries and keys in the rotate-half convention (theta 10000, as RotaryEmbedding),
pre-LayerNorm blocks (eps 1e-6, with bias): LN -> separate q/k/v projections (bias) -> causal
softmax attention (queries scaled by 1/sqrt(head_dim), additive causal mask) -> output projection
(bias) -> residual -> LN -> linear (bias) -> exact GELU -> linear (bias) -> residual; output
LayerNorm; mean next-byte cross-entropy. AdamW (weight decay 0.01 on weights and the embedding,
none on biases and norms), global-norm clipping at 1.0, as the charlm learner.

    /usr/bin/python3 tools/bench/charlm_step.py [--dim 256 --layers 4 --heads 4 --seq 128
        --batch 16] [--threads 2 --steps 30 --warmup 10]

`charlm tiny` is --dim 128 --layers 2 --heads 4 --batch 32.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_step_common import PreNormBlock, adamw, bench  # noqa: E402


def rotary_tables(seq, head_dim, theta=10000.0):
    half = head_dim // 2
    freq = theta ** (-torch.arange(half, dtype=torch.float64) * 2 / head_dim)
    angle = torch.arange(seq, dtype=torch.float64)[:, None] * freq[None, :]
    angle = torch.cat([angle, angle], dim=-1)
    return angle.cos().float(), angle.sin().float()  # [T, H]


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


class CharLm(nn.Module):
    def __init__(self, vocab, d, layers, heads, seq):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        nn.init.normal_(self.embedding.weight, std=d ** -0.5)
        self.blocks = nn.ModuleList([PreNormBlock(d, heads, 4 * d) for _ in range(layers)])
        self.output_norm = nn.LayerNorm(d, eps=1e-6)
        cos, sin = rotary_tables(seq, d // heads)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.register_buffer("mask", torch.triu(torch.full((seq, seq), -1e9), diagonal=1))

    def forward(self, ids):
        h = self.embedding(ids)
        for block in self.blocks:
            h = block(h, lambda t: rotate(t, self.cos, self.sin), self.mask)
        return self.output_norm(h) @ self.embedding.weight.t()


def main():
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--seq", type=int, default=128)
    own, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    from torch_step_common import parse_args

    args = parse_args(__doc__, batch=16)
    torch.manual_seed(0)
    model = CharLm(256, own.dim, own.layers, own.heads, own.seq)
    data = torch.randint(0, 256, (64, args.batch, own.seq + 1), generator=torch.Generator().manual_seed(1))

    def batches(i):
        window = data[i % data.shape[0]]
        return window[:, :-1].contiguous(), window[:, 1:].contiguous()

    def loss_fn(logits, targets):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    name = "charlm d%d L%d H%d T%d B%d" % (own.dim, own.layers, own.heads, own.seq, args.batch)
    bench(name, model, batches, loss_fn, args, adamw(model, 1e-3, 0.01), clip=1.0,
          extra={"tokens_per_step": args.batch * own.seq})


if __name__ == "__main__":
    main()
