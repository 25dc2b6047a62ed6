"""Goldens for LayerNormTest, RmsNormTest and ActivationTest (axlearn-core)."""
import math

import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, grads_of, randn, save

# LayerNorm and RMSNorm: forward and gradients w.r.t. input, scale and bias.
for test, with_bias in (("LayerNormTest", True), ("RmsNormTest", False)):
    out_dir = golden_dir("axlearn-core", test)
    g = generator(7)
    dim, eps = 6, 1e-6
    x = (randn(g, 2, 3, dim) * 3 + 1).requires_grad_()
    scale = (1 + randn(g, dim, scale=0.1)).requires_grad_()
    named = {"x": x, "scale": scale}
    tensors = {"inputs/x": x, "params/scale": scale}
    if with_bias:
        bias = randn(g, dim, scale=0.1).requires_grad_()
        named["bias"] = bias
        tensors["params/bias"] = bias
        y = F.layer_norm(x, (dim,), scale, bias, eps)
    else:
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * scale
    dy = randn(g, *y.shape)
    tensors.update({"outputs/y": y, "inputs/dy": dy})
    tensors.update(grads_of(y, dy, named))
    save(f"{out_dir}/forward.safetensors", tensors, {"inputDim": dim, "eps": eps})

# Activations: every enum value on the same input, plus the gated forms.
out_dir = golden_dir("axlearn-core", "ActivationTest")
g = generator(11)
x = randn(g, 4, 5, scale=2.0)
v = randn(g, 4, 5)
acts = {
    "IDENTITY": x,
    "RELU": F.relu(x),
    "GELU": F.gelu(x),
    "GELU_TANH": F.gelu(x, approximate="tanh"),
    "SILU": F.silu(x),
    "TANH": torch.tanh(x),
    "SIGMOID": torch.sigmoid(x),
}
tensors = {"inputs/x": x, "inputs/v": v}
tensors.update({"outputs/" + k: t for k, t in acts.items()})
tensors["outputs/swiglu"] = F.silu(x) * v
tensors["outputs/geglu"] = F.gelu(x) * v
save(f"{out_dir}/activations.safetensors", tensors)
