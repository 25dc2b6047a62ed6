"""Goldens for the vision name maps (axlearn-vision): VisionWeightsTest.

* vit: a ViT written with torch.nn modules whose state_dict() names are exactly Hugging Face's
  ViTForImageClassification names (vit.embeddings.{cls_token [1, 1, D], position_embeddings
  [1, T, D], patch_embeddings.projection}, vit.encoder.layer.{i}.{layernorm_before,
  attention.attention.{query,key,value}, attention.output.dense, layernorm_after,
  intermediate.dense, output.dense}, vit.layernorm, classifier), without the `transformers`
  package: pre-norm layers, exact GELU, LayerNorm eps 1e-12, logits from the class token.
* resnet: torchvision's own BasicBlock and conv1x1 assembled exactly as torchvision.models.ResNet
  assembles them (conv1 7x7/2, bn1, maxpool, layer1..layer4, fc), with narrow stages
  (8, 16, 32, 64) and blocks (1, 2, 1, 1) so the golden stays small; BatchNorm running statistics
  random, num_batches_tracked 7, evaluation mode.

Files (axlearn-vision/src/test/resources/golden/VisionWeightsTest/): <name>.safetensors, the state
dict; <name>_expected.safetensors: inputs/x, outputs/logits.

Run: /usr/bin/python3 tools/golden/interop_vision.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, conv1x1

from golden_common import generator, golden_dir, randn, save

IMG, PATCH, CH, DIM, HEADS, FFN, LAYERS, CLASSES = 8, 4, 3, 16, 4, 32, 2, 5
EPS = 1e-12
TOKENS = (IMG // PATCH) ** 2 + 1


class PatchEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.projection = nn.Conv2d(CH, DIM, PATCH, stride=PATCH)

    def forward(self, x):
        return self.projection(x).flatten(2).transpose(1, 2)


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        self.position_embeddings = nn.Parameter(torch.zeros(1, TOKENS, DIM))
        self.patch_embeddings = PatchEmbeddings()

    def forward(self, x):
        h = self.patch_embeddings(x)
        h = torch.cat([self.cls_token.expand(h.shape[0], -1, -1), h], dim=1)
        return h + self.position_embeddings


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(DIM, DIM), nn.Linear(DIM, DIM), nn.Linear(DIM, DIM)

    def forward(self, x):
        b, t, _ = x.shape
        hd = DIM // HEADS
        heads = lambda y: y.view(b, t, HEADS, hd).transpose(1, 2)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        probs = (q @ k.transpose(-1, -2) / math.sqrt(hd)).softmax(-1)
        return (probs @ v).transpose(1, 2).reshape(b, t, DIM)


class Dense(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = SelfAttention()
        self.output = Dense(DIM, DIM)

    def forward(self, x):
        return self.output.dense(self.attention(x))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(DIM, eps=EPS)
        self.attention = Attention()
        self.layernorm_after = nn.LayerNorm(DIM, eps=EPS)
        self.intermediate = Dense(DIM, FFN)
        self.output = Dense(FFN, DIM)

    def forward(self, x):
        x = x + self.attention(self.layernorm_before(x))
        return x + self.output.dense(F.gelu(self.intermediate.dense(self.layernorm_after(x))))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])


class VitModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()
        self.layernorm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, x):
        h = self.embeddings(x)
        for layer in self.encoder.layer:
            h = layer(h)
        return self.layernorm(h)


class VitForImageClassification(nn.Module):
    def __init__(self):
        super().__init__()
        self.vit = VitModel()
        self.classifier = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        return self.classifier(self.vit(x)[:, 0])


class TinyTorchvisionResNet(nn.Module):
    """torchvision.models.ResNet's modules and names with narrower stages."""

    def __init__(self, widths=(8, 16, 32, 64), blocks=(1, 2, 1, 1)):
        super().__init__()
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        for s, (w, n) in enumerate(zip(widths, blocks)):
            setattr(self, f"layer{s + 1}", self._make_layer(w, n, 1 if s == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[-1], CLASSES)

    def _make_layer(self, planes, n, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes, stride), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, n)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomise(model, g):
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(7)
            elif name.endswith("running_var"):
                t.copy_(0.5 + randn(g, *t.shape).abs())
            elif t.dim() == 1 and ("bn" in name or "norm" in name or "downsample.1" in name) and name.endswith("weight"):
                t.copy_(1.0 + randn(g, *t.shape, scale=0.2))
            else:
                fan_in = t[0].numel() if t.dim() > 1 else 1
                t.copy_(randn(g, *t.shape, scale=1.0 / math.sqrt(fan_in) if t.dim() > 1 else 0.2))


def write(name, model, x_shape, seed):
    randomise(model, generator(seed))
    model.eval()
    x = randn(generator(seed + 1), *x_shape)
    with torch.no_grad():
        logits = model(x)
    out = golden_dir("axlearn-vision", "VisionWeightsTest")
    save(f"{out}/{name}.safetensors", dict(model.state_dict()))
    save(f"{out}/{name}_expected.safetensors", {"inputs/x": x, "outputs/logits": logits},
         {"image": IMG, "patch": PATCH, "dim": DIM, "heads": HEADS, "ffn": FFN, "layers": LAYERS,
          "classes": CLASSES})


if __name__ == "__main__":
    torch.manual_seed(0)
    write("vit", VitForImageClassification(), (2, CH, IMG, IMG), 41)
    write("resnet", TinyTorchvisionResNet(), (2, 3, 32, 32), 51)
