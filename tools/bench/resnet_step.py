"""Training-step time of the vision.fashion resnet-tiny model (and ResNet-18 at 32 px) in PyTorch
eager, for docs/performance.md. Mirrors axlearn-jvm's ResNet: small stem (3x3 conv, BN, ReLU),
basic blocks with projection shortcuts, global average pool, linear head, cross-entropy with label
smoothing 0.1, AdamW.

    /usr/bin/python3 tools/bench/resnet_step.py [--model resnet-tiny|resnet18] [--batch 128]
        [--steps 20] [--threads 2] [--no-mkldnn] [--channels-last]

Set ONEDNN_MAX_CPU_ISA in the environment to compare oneDNN's instruction-set caps.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet-tiny")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-mkldnn", action="store_true")
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.mkldnn.enabled = not a.no_mkldnn
    if a.model == "resnet-tiny":
        net, cin, size = Net(1, 24, [1, 1, 1], [24, 48, 96], 10), 1, 28
    else:
        net, cin, size = Net(3, 64, [2, 2, 2, 2], [64, 128, 256, 512], 10), 3, 32  # small stem, as ours
    x = torch.randn(a.batch, cin, size, size)
    y = torch.randint(0, 10, (a.batch,))
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    x = x.to(memory_format=fmt)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    times = []
    for i in range(a.steps + 3):
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y, label_smoothing=0.1)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t)
    times = sorted(times[3:])
    med = times[len(times) // 2]
    print("torch %s batch %d threads %d mkldnn %s channels_last %s: median step %.1f ms, %.0f images/s"
          % (a.model, a.batch, a.threads, not a.no_mkldnn, a.channels_last, med * 1e3, a.batch / med))


if __name__ == "__main__":
    main()
