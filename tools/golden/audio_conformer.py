"""Golden for axlearn-audio's ConformerLayer: one block in plain PyTorch on random weights, with a
padded second sequence; output and gradients of sum(y * dy) w.r.t. every parameter and the input.

Same structure as ConformerLayer's Javadoc: macaron half-step SiLU feed-forwards, pre-norm
self-attention with rotary ("rotate half") positions and a -1e9 bias on padded keys, the
convolution module (pointwise 2D, GLU, padding zeroed, depthwise k, LayerNorm, SiLU, pointwise),
LayerNorm eps 1e-5 everywhere, a final norm. Parameters use axlearn-jvm's paths and layouts
(Linear weight [in, out], Conv1d weight [out, in/groups, k]). Run:

    /usr/bin/python3 tools/golden/audio_conformer.py
"""
import math
import os

import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save_case

NEG = -1e9


def linear(p, pre, x):
    return x @ p[pre + "/weight"] + p[pre + "/bias"]


def norm(p, pre, x):
    return F.layer_norm(x, (x.shape[-1],), p[pre + "/scale"], p[pre + "/bias"], 1e-5)


def rope(x, theta=10000.0):
    length, h = x.shape[2], x.shape[3]
    half = h // 2
    inv = torch.tensor([theta ** (-2.0 * i / h) for i in range(half)], dtype=torch.float64)
    ang = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1).float()
    sin = torch.cat([ang.sin(), ang.sin()], -1).float()
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


def attention(p, pre, x, valid, heads):
    b, t, d = x.shape
    hd = d // heads
    q, k, v = (linear(p, f"{pre}/{n}_proj", x).view(b, t, heads, hd).transpose(1, 2) for n in "qkv")
    q, k = rope(q), rope(k)
    logits = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-1, -2)
    logits = logits + (valid.float() - 1.0).mul(-NEG).view(b, 1, 1, t)
    return linear(p, f"{pre}/o_proj", (logits.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))


def feed_forward(p, pre, x):
    return linear(p, pre + "/linear2", F.silu(linear(p, pre + "/linear1", x)))


def conformer(p, x, valid, heads, kernel):
    d = x.shape[-1]
    x = x + 0.5 * feed_forward(p, "ff_start", norm(p, "ff_start_norm", x))
    x = x + attention(p, "self_attention", norm(p, "attention_norm", x), valid, heads)
    h = linear(p, "pointwise1", norm(p, "conv_norm", x))
    h = torch.sigmoid(h[..., d:]) * h[..., :d]
    h = h * valid.float()[..., None]
    h = F.conv1d(h.transpose(1, 2), p["depthwise/weight"], p["depthwise/bias"], padding=kernel // 2,
                 groups=d).transpose(1, 2)
    x = x + linear(p, "pointwise2", F.silu(norm(p, "depthwise_norm", h)))
    x = x + 0.5 * feed_forward(p, "ff_end", norm(p, "ff_end_norm", x))
    return norm(p, "output_norm", x)


def params(g, d, hidden, kernel):
    p = {}

    def lin(name, i, o):
        p[name + "/weight"] = randn(g, i, o, scale=1.0 / math.sqrt(i))
        p[name + "/bias"] = randn(g, o, scale=0.1)

    def ln(name):
        p[name + "/scale"] = 1 + randn(g, d, scale=0.1)
        p[name + "/bias"] = randn(g, d, scale=0.1)

    for ff in ("ff_start", "ff_end"):
        ln(ff + "_norm")
        lin(ff + "/linear1", d, hidden)
        lin(ff + "/linear2", hidden, d)
    ln("attention_norm")
    for n in "qkvo":
        lin(f"self_attention/{n}_proj", d, d)
    ln("conv_norm")
    lin("pointwise1", d, 2 * d)
    p["depthwise/weight"] = randn(g, d, 1, kernel, scale=0.5)
    p["depthwise/bias"] = randn(g, d, scale=0.1)
    ln("depthwise_norm")
    lin("pointwise2", d, d)
    ln("output_norm")
    return {k: v.requires_grad_() for k, v in p.items()}


if __name__ == "__main__":
    g = generator(21)
    d, heads, kernel, b, t = 8, 2, 5, 2, 9
    p = params(g, d, 4 * d, kernel)
    x = randn(g, b, t, d).requires_grad_()
    valid = torch.arange(t)[None, :] < torch.tensor([[t], [6]])
    y = conformer(p, x, valid, heads, kernel)
    out = golden_dir("axlearn-audio", "ConformerLayerTest")
    save_case(os.path.join(out, "block.safetensors"), p, {"x": x, "valid": valid.int()}, y,
              {"inputDim": d, "numHeads": heads, "convKernelSize": kernel})
