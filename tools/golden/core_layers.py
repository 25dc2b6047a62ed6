"""Goldens for the convolution, pooling, norm and embedding layers (axlearn-core):
Conv2dTest, Conv1dTest, Pool2dTest, BatchNormTest, GroupNormTest, EmbeddingTest.

Run: /usr/bin/python3 tools/golden/core_layers.py (deterministic: every case seeds its own
torch.Generator, so rerunning rewrites identical files).

Convolutions and pooling use PyTorch's layouts (NCHW, weight [out, in/groups, kh, kw]), as the
Java layers do. SAME padding follows TensorFlow: total = max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0),
split with the extra element after.
"""
import math

import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, grads_of, randn, save, save_case


def same_pads(size, k, s, d=1):
    out = math.ceil(size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def finish(path, params, inputs, y, meta, with_grads=True, grads=None):
    """Saves one case (see golden_common.save_case); dy is seeded with 5."""
    save_case(path, params, inputs, y, meta, with_grads if grads is None else grads, dy_seed=5)


out = golden_dir("axlearn-core", "Conv2dTest")
for name, c in {
    "same_stride2": dict(cin=3, cout=4, k=3, s=2, d=1, g=1, pad="same", hw=7),
    "same_even_kernel": dict(cin=2, cout=3, k=2, s=1, d=1, g=1, pad="same", hw=5),
    "valid_dilated": dict(cin=2, cout=3, k=3, s=1, d=2, g=1, pad="valid", hw=8),
    "depthwise": dict(cin=4, cout=8, k=3, s=1, d=1, g=4, pad="same", hw=6),
    # Explicit [[top, bottom], [left, right]] = [[1, 0], [2, 1]].
    "explicit": dict(cin=2, cout=3, k=3, s=1, d=1, g=1, pad="explicit", hw=5),
}.items():
    gen = generator(17)
    x = randn(gen, 2, c["cin"], c["hw"], c["hw"]).requires_grad_()
    w = randn(gen, c["cout"], c["cin"] // c["g"], c["k"], c["k"], scale=0.4).requires_grad_()
    b = randn(gen, c["cout"], scale=0.1).requires_grad_()
    xp = x
    if c["pad"] == "same":
        lo, hi = same_pads(c["hw"], c["k"], c["s"], c["d"])
        xp = F.pad(x, (lo, hi, lo, hi))
    elif c["pad"] == "explicit":
        xp = F.pad(x, (2, 1, 1, 0))
    y = F.conv2d(xp, w, b, stride=c["s"], dilation=c["d"], groups=c["g"])
    finish(f"{out}/{name}.safetensors", {"weight": w, "bias": b}, {"x": x}, y,
           {"inputDim": c["cin"], "outputDim": c["cout"], "kernel": c["k"], "stride": c["s"],
            "dilation": c["d"], "groups": c["g"], "padding": c["pad"]})

out = golden_dir("axlearn-core", "Conv1dTest")
# padding: (before, after) amounts applied with F.pad; "causal" is (k-1)*d before, "same" the
# TensorFlow split, "explicit" the given pair.
for name, c in {
    "causal_dilated": dict(cin=3, cout=4, k=3, s=1, d=2, g=1, pad="causal", t=9),
    "same_stride2": dict(cin=3, cout=2, k=4, s=2, d=1, g=1, pad="same", t=9),
    "depthwise": dict(cin=4, cout=4, k=3, s=1, d=1, g=4, pad="same", t=7),
    "explicit": dict(cin=2, cout=3, k=3, s=1, d=1, g=1, pad="explicit", t=6),
}.items():
    gen = generator(23)
    x = randn(gen, 2, c["cin"], c["t"]).requires_grad_()
    w = randn(gen, c["cout"], c["cin"] // c["g"], c["k"], scale=0.4).requires_grad_()
    b = randn(gen, c["cout"], scale=0.1).requires_grad_()
    pads = {"causal": ((c["k"] - 1) * c["d"], 0), "explicit": (2, 1),
            "same": same_pads(c["t"], c["k"], c["s"], c["d"])}[c["pad"]]
    y = F.conv1d(F.pad(x, pads), w, b, stride=c["s"], dilation=c["d"], groups=c["g"])
    finish(f"{out}/{name}.safetensors", {"weight": w, "bias": b}, {"x": x}, y,
           {"inputDim": c["cin"], "outputDim": c["cout"], "kernel": c["k"], "stride": c["s"],
            "dilation": c["d"], "groups": c["g"], "padding": c["pad"]})

out = golden_dir("axlearn-core", "Pool2dTest")
gen = generator(29)
x = randn(gen, 2, 3, 6, 6)
lo, hi = same_pads(6, 3, 2)
max_same = F.max_pool2d(F.pad(x, (lo, hi, lo, hi), value=-math.inf), 3, 2)
sums = F.avg_pool2d(F.pad(x, (lo, hi, lo, hi)), 3, 2) * 9
counts = F.avg_pool2d(F.pad(torch.ones(1, 1, 6, 6), (lo, hi, lo, hi)), 3, 2) * 9
save(f"{out}/pools.safetensors", {
    "inputs/x": x,
    "outputs/max_same_k3s2": max_same,
    "outputs/avg_same_k3s2": sums / counts,
    "outputs/max_valid_k2": F.max_pool2d(x, 2),
    "outputs/avg_valid_k3s1": F.avg_pool2d(x, 3, 1),
    "outputs/global_avg": x.mean((2, 3)),
})

out = golden_dir("axlearn-core", "BatchNormTest")
gen = generator(31)
x = (randn(gen, 4, 3, 5, 5) * 2 + 0.5).requires_grad_()
scale = (1 + randn(gen, 3, scale=0.1)).requires_grad_()
bias = randn(gen, 3, scale=0.1).requires_grad_()
moving_mean = randn(gen, 3, scale=0.1)
moving_var = 1 + randn(gen, 3, scale=0.1).abs()
decay = 0.9
rm, rv = moving_mean.clone(), moving_var.clone()
y = F.batch_norm(x, rm, rv, scale, bias, training=True, momentum=1 - decay, eps=1e-5)
# Gradients flow through the batch statistics (grads/moving_* are zero: the moving statistics are
# not used by the training output).
def stats_leaves():
    return {"moving_mean": moving_mean.clone().requires_grad_(),
            "moving_variance": moving_var.clone().requires_grad_()}


finish(f"{out}/train.safetensors", {"scale": scale, "bias": bias, **stats_leaves()},
       {"x": x}, y, {"inputDim": 3, "decay": decay})
save(f"{out}/train_stats.safetensors", {"outputs/moving_mean": rm, "outputs/moving_variance": rv})
# Channels last ([N, T, C], channelAxis = -1): torch's batch_norm wants channels at axis 1.
xl = (randn(gen, 3, 4, 3) * 3 - 1).requires_grad_()
rm_l, rv_l = moving_mean.clone(), moving_var.clone()
yl = F.batch_norm(xl.transpose(1, 2), rm_l, rv_l, scale, bias, training=True, momentum=1 - decay,
                  eps=1e-5).transpose(1, 2)
finish(f"{out}/train_channels_last.safetensors", {"scale": scale, "bias": bias, **stats_leaves()},
       {"x": xl}, yl, {"inputDim": 3, "decay": decay, "channelAxis": -1})
save(f"{out}/train_channels_last_stats.safetensors",
     {"outputs/moving_mean": rm_l, "outputs/moving_variance": rv_l})
y_eval = F.batch_norm(x, moving_mean, moving_var, scale, bias, training=False, eps=1e-5)
finish(f"{out}/eval.safetensors",
       {"scale": scale, "bias": bias, "moving_mean": moving_mean, "moving_variance": moving_var},
       {"x": x}, y_eval, {"inputDim": 3, "decay": decay}, grads=False)

out = golden_dir("axlearn-core", "GroupNormTest")
gen = generator(37)
x = (randn(gen, 2, 6, 4, 3) * 2 + 1).requires_grad_()
scale = (1 + randn(gen, 6, scale=0.1)).requires_grad_()
bias = randn(gen, 6, scale=0.1).requires_grad_()
y = F.group_norm(x, 3, scale, bias, 1e-5)
finish(f"{out}/forward.safetensors", {"scale": scale, "bias": bias}, {"x": x}, y, {"inputDim": 6, "numGroups": 3})

out = golden_dir("axlearn-core", "EmbeddingTest")
gen = generator(41)
table = randn(gen, 10, 4).requires_grad_()
ids = torch.tensor([[1, 7, 3], [0, 9, 7]], dtype=torch.int64)
y = F.embedding(ids, table)
finish(f"{out}/lookup.safetensors", {"weight": table}, {"ids": ids}, y, {"numEmbeddings": 10, "dim": 4})
h = randn(gen, 2, 3, 4).requires_grad_()
logits = h @ table.t()
finish(f"{out}/attend.safetensors", {"weight": table}, {"x": h}, logits, {"numEmbeddings": 10, "dim": 4})
