"""Goldens for LinearTest (axlearn-core): torch.nn.functional.linear on fixed weights and inputs.

Our Linear stores weight as [in, out]; torch's is [out, in], so params/weight is the transpose.
"""
import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, grads_of, randn, save

out_dir = golden_dir("axlearn-core", "LinearTest")
for case, (batch, in_dim, out_dim, bias) in {
    "bias": ((2, 3), 5, 4, True),
    "no_bias": ((6,), 3, 7, False),
}.items():
    g = generator(1234)
    x = randn(g, *batch, in_dim).requires_grad_()
    w = randn(g, in_dim, out_dim, scale=0.5).requires_grad_()  # our layout [in, out]
    b = randn(g, out_dim).requires_grad_() if bias else None
    y = F.linear(x, w.t(), b)
    dy = randn(g, *y.shape)
    named = {"x": x, "weight": w}
    tensors = {"inputs/x": x, "inputs/dy": dy, "params/weight": w, "outputs/y": y}
    if bias:
        named["bias"] = b
        tensors["params/bias"] = b
    tensors.update(grads_of(y, dy, named))
    save(f"{out_dir}/{case}.safetensors", tensors,
         {"inputDim": in_dim, "outputDim": out_dim, "bias": str(bias).lower()})
