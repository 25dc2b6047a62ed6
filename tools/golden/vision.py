"""Goldens for axlearn-vision: ResNetTest (torchvision's resnet18, one basic and one bottleneck
block) and VisionTransformerTest (a ViT written with torch.nn modules).

    /usr/bin/python3 tools/golden/vision.py

* resnet18_eval: torchvision.models.resnet18(num_classes=10) in eval mode on [2, 3, 64, 64]
  images. Its 11.7M weights are not stored: every tensor of the state dict (in state-dict order,
  without num_batches_tracked) is filled by formula_values(k, shape) below, which the Java test
  reproduces bit for bit, so the file holds only the input, the logits and the tensor list. The
  Java test loads the torchvision-named tensors through TorchvisionResNet's name map.
* basic_block / bottleneck_block: torchvision's BasicBlock / Bottleneck with a projection shortcut
  in train mode (batch statistics), output and gradients of sum(y * dy), params in our names.
* vit: a ViT (conv patch embedding, class token, learned positions, pre-norm layers with
  nn.MultiheadAttention and an exact-GELU MLP, final LayerNorm, linear head) on [2, 3, 16, 16]:
  logits and gradients.
"""
import torch
import torch.nn as nn
import torchvision

from golden_common import generator, golden_dir, randn, save, save_case

MODULE = "axlearn-vision"


def formula_values(k, shape, kind):
    """Deterministic values for the k-th state-dict tensor: an integer hash of the flat index,
    mapped to [-0.5, 0.5), scaled by kind."""
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.int64)
    u = ((i * 2654435761 + k * 40503) % 4294967296).double() / 4294967296.0 - 0.5
    if kind == "weight":  # conv or linear weight [out, in, ...]: uniform with std ~ 1/sqrt(fan_in)
        fan_in = n // shape[0]
        v = u * (12.0 / fan_in) ** 0.5 * 1.4
    elif kind == "scale":
        v = 1.0 + 0.2 * u
    elif kind == "variance":
        v = 1.0 + 0.5 * (u + 0.5)
    else:  # bias, running mean
        v = 0.2 * u
    return v.float().reshape(shape)


def kind_of(name, tensor):
    if name.endswith("running_var"):
        return "variance"
    if name.endswith("running_mean") or name.endswith("bias"):
        return "bias"
    if tensor.dim() == 1:
        return "scale"
    return "weight"


def resnet18():
    model = torchvision.models.resnet18(num_classes=10)
    names = []
    with torch.no_grad():
        k = 0
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            t.copy_(formula_values(k, tuple(t.shape), kind_of(name, t)))
            names.append("%s:%s:%s" % (name, kind_of(name, t), "x".join(str(d) for d in t.shape)))
            k += 1
    model.eval()
    x = randn(generator(11), 2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    save(f"{golden_dir(MODULE, 'ResNetTest')}/resnet18_eval.safetensors",
         {"inputs/x": x, "outputs/y": logits}, {"tensors": ";".join(names)})


def block_params(block, prefix_map):
    """Our names for a torchvision block's parameters."""
    params = {}
    for tname, ours in prefix_map.items():
        mod = block.get_submodule(tname)
        if isinstance(mod, nn.Conv2d):
            params[ours + "/weight"] = mod.weight
        else:
            params[ours + "/scale"] = mod.weight
            params[ours + "/bias"] = mod.bias
    return params


def randomise(module, g):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1 and name.endswith("weight"):
                p.copy_(1 + randn(g, *p.shape, scale=0.1))
            else:
                p.copy_(randn(g, *p.shape, scale=0.3))


def block_case(name, block, prefix_map, x_shape, meta):
    g = generator(21)
    randomise(block, g)
    block.train()
    params = block_params(block, prefix_map)
    x = randn(g, *x_shape).requires_grad_(True)
    y = block(x)
    save_case(f"{golden_dir(MODULE, 'ResNetTest')}/{name}.safetensors", params, {"x": x}, y, meta)


def blocks():
    from torchvision.models.resnet import BasicBlock, Bottleneck
    down = nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))
    basic = BasicBlock(8, 16, stride=2, downsample=down)
    block_case("basic_block", basic,
               {"conv1": "conv1", "bn1": "norm1", "conv2": "conv2", "bn2": "norm2",
                "downsample.0": "shortcut_conv", "downsample.1": "shortcut_norm"},
               (2, 8, 6, 6), {"inputDim": 8, "outputDim": 16, "stride": 2, "kind": "BASIC"})
    down = nn.Sequential(nn.Conv2d(16, 32, 1, 1, bias=False), nn.BatchNorm2d(32))
    bottleneck = Bottleneck(16, 8, stride=1, downsample=down)  # width 8, output 8 * 4 = 32
    block_case("bottleneck_block", bottleneck,
               {"conv1": "conv1", "bn1": "norm1", "conv2": "conv2", "bn2": "norm2",
                "conv3": "conv3", "bn3": "norm3",
                "downsample.0": "shortcut_conv", "downsample.1": "shortcut_norm"},
               (2, 16, 5, 5), {"inputDim": 16, "outputDim": 32, "stride": 1, "kind": "BOTTLENECK"})


IMG, PATCH, DIM, HEADS, LAYERS, HIDDEN, CLASSES, CH = 16, 4, 16, 2, 2, 32, 5, 3
EPS = 1e-6


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM, eps=EPS)
        self.attn = nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(DIM, eps=EPS)
        self.fc1 = nn.Linear(DIM, HIDDEN)
        self.fc2 = nn.Linear(HIDDEN, DIM)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class Vit(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(CH, DIM, PATCH, PATCH)
        self.cls = nn.Parameter(torch.zeros(DIM))
        tokens = (IMG // PATCH) ** 2 + 1
        self.pos = nn.Parameter(torch.zeros(tokens, DIM))
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.ln = nn.LayerNorm(DIM, eps=EPS)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        h = self.patch(x).flatten(2).transpose(1, 2)
        h = torch.cat([self.cls.expand(h.shape[0], 1, DIM), h], 1) + self.pos[None]
        for layer in self.layers:
            h = layer(h)
        return self.head(self.ln(h)[:, 0])


def vit():
    model = Vit()
    g = generator(31)
    randomise(model, g)
    x = randn(g, 2, CH, IMG, IMG)
    params = {}
    grads_of = {}

    def put(path, value, param, grad):
        params[path] = (value, param, grad)

    def linear(path, lin):
        put(path + "/weight", lin.weight.t(), lin.weight, lambda gr: gr.t())
        put(path + "/bias", lin.bias, lin.bias, lambda gr: gr)

    def norm(path, ln):
        put(path + "/scale", ln.weight, ln.weight, lambda gr: gr)
        put(path + "/bias", ln.bias, ln.bias, lambda gr: gr)

    enc = "encoder/"
    put(enc + "patch_embed/weight", model.patch.weight, model.patch.weight, lambda gr: gr)
    put(enc + "patch_embed/bias", model.patch.bias, model.patch.bias, lambda gr: gr)
    put(enc + "class_token", model.cls, model.cls, lambda gr: gr)
    put(enc + "position_embedding/weight", model.pos, model.pos, lambda gr: gr)
    for i, layer in enumerate(model.layers):
        pre = f"{enc}encoder/layer{i}/"
        norm(pre + "attention_norm", layer.ln1)
        w, b = layer.attn.in_proj_weight, layer.attn.in_proj_bias
        for k, name in enumerate(["q_proj", "k_proj", "v_proj"]):
            rows = slice(k * DIM, (k + 1) * DIM)
            put(f"{pre}self_attention/{name}/weight", w[rows].t(), w, lambda gr, r=rows: gr[r].t())
            put(f"{pre}self_attention/{name}/bias", b[rows], b, lambda gr, r=rows: gr[r])
        linear(pre + "self_attention/o_proj", layer.attn.out_proj)
        norm(pre + "feed_forward_norm", layer.ln2)
        linear(pre + "feed_forward/linear1", layer.fc1)
        linear(pre + "feed_forward/linear2", layer.fc2)
    norm(enc + "output_norm", model.ln)
    linear("head", model.head)
    logits = model(x)
    dy = randn(generator(99), *logits.shape)
    (logits * dy).sum().backward()
    tensors = {"inputs/x": x, "inputs/dy": dy, "outputs/y": logits}
    for path, (value, param, grad) in params.items():
        tensors["params/" + path] = value.detach().clone()
        tensors["grads/" + path] = grad(param.grad).detach().clone()
    save(f"{golden_dir(MODULE, 'VisionTransformerTest')}/vit.safetensors", tensors,
         {"imageSize": IMG, "patchSize": PATCH, "dim": DIM, "numHeads": HEADS, "numLayers": LAYERS,
          "hiddenDim": HIDDEN, "numClasses": CLASSES, "channels": CH})


if __name__ == "__main__":
    torch.manual_seed(0)
    resnet18()
    blocks()
    vit()
