"""Golden for GatedLinearUnitTest (examples): the user-defined layer of docs/layers.md.

y = (x W + b) * sigmoid(x V + c), Dauphin et al. 2017; W and V in axlearn-jvm's [in, out] layout,
so torch's F.linear gets their transposes.
"""
import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save_case

out_dir = golden_dir("examples", "GatedLinearUnitTest")
in_dim, out_dim = 4, 3
g = generator(2024)
x = randn(g, 2, 5, in_dim).requires_grad_()
params = {
    "weight": randn(g, in_dim, out_dim, scale=0.5).requires_grad_(),
    "bias": randn(g, out_dim, scale=0.1).requires_grad_(),
    "gate_weight": randn(g, in_dim, out_dim, scale=0.5).requires_grad_(),
    "gate_bias": randn(g, out_dim, scale=0.1).requires_grad_(),
}
value = F.linear(x, params["weight"].t(), params["bias"])
gate = torch.sigmoid(F.linear(x, params["gate_weight"].t(), params["gate_bias"]))
save_case(f"{out_dir}/forward.safetensors", params, {"x": x}, value * gate,
          {"inputDim": in_dim, "outputDim": out_dim})
