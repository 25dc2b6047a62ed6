"""Training-step time of the vision.fashion resnet-tiny model (and ResNet-18 at 32 px) in PyTorch
eager, for tools/bench/compare and docs/performance.md. Mirrors axlearn-jvm's ResNet as
ResNetBenchmark builds it: small stem (3x3 conv, BN, ReLU), basic blocks with projection
shortcuts, global average pool, linear head, cross-entropy with label smoothing 0.1, AdamW at a
constant 1e-3 without weight decay (ResNetBenchmark's learner), a fixed random batch.

    /usr/bin/python3 tools/bench/resnet_step.py [--model resnet-tiny|resnet18] [--batch 128]
        [--steps 30] [--warmup 10] [--threads 2] [--no-mkldnn] [--channels-last]

Prints one JSON line (tools/bench/torch_step_common.py). Set ONEDNN_MAX_CPU_ISA in the
environment to compare oneDNN's instruction-set caps.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_step_common import adamw, bench  # noqa: E402


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (x if self.proj is None else self.proj(x)))


class Net(nn.Module):
    def __init__(self, cin, stem, blocks, dims, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(cin, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU())
        layers, c = [], stem
        for s, (n, d) in enumerate(zip(blocks, dims)):
            for b in range(n):
                layers.append(Block(c, d, 2 if b == 0 and s > 0 else 1))
                c = d
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(c, classes)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


def main():
    model_name = "resnet-tiny"
    flags = {"--no-mkldnn": False, "--channels-last": False}
    rest = [sys.argv[0]]
    argv = iter(sys.argv[1:])
    for a in argv:
        if a == "--model":
            model_name = next(argv)
        elif a in flags:
            flags[a] = True
        else:
            rest.append(a)
    sys.argv = rest
    from torch_step_common import parse_args

    args = parse_args(__doc__, batch=128)
    torch.backends.mkldnn.enabled = not flags["--no-mkldnn"]
    torch.manual_seed(0)
    if model_name == "resnet-tiny":
        net, cin, size = Net(1, 24, [1, 1, 1], [24, 48, 96], 10), 1, 28
    else:
        net, cin, size = Net(3, 64, [2, 2, 2, 2], [64, 128, 256, 512], 10), 3, 32  # small stem, as ours
    fmt = torch.channels_last if flags["--channels-last"] else torch.contiguous_format
    net = net.to(memory_format=fmt)
    x = torch.randn(args.batch, cin, size, size).to(memory_format=fmt)
    y = torch.randint(0, 10, (args.batch,))

    def loss_fn(logits, targets):
        return F.cross_entropy(logits, targets, label_smoothing=0.1)

    bench("%s %dx%dx%d B%d" % (model_name, cin, size, size, args.batch), net, lambda i: (x, y),
          loss_fn, args, adamw(net, 1e-3, 0.0),
          extra={"mkldnn": torch.backends.mkldnn.enabled, "channels_last": flags["--channels-last"]})


if __name__ == "__main__":
    main()
