"""PyTorch reference for TransformerStackBenchmark: the same 4-layer pre-norm causal Transformer
stack (d=256, 4 heads, FFN 1024, GELU, seq 128, batch 16), forward + backward of mean(y^2),
median step time. Run with Debian's python3-torch and the same malloc settings as ./axlearn:

    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295 \\
        /usr/bin/python3 tools/bench/transformer_stack.py [steps] [threads]
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

LAYERS, DIM, HEADS, HIDDEN, SEQ, BATCH = 4, 256, 4, 1024, 128, 16
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)


def lin(i, o):
    w = (torch.rand(i, o) * 2 - 1) * (6 / (i + o)) ** 0.5
    return [w.requires_grad_(), torch.zeros(o, requires_grad=True)]


params = []
for _ in range(LAYERS):
    layer = {"n1": [torch.ones(DIM, requires_grad=True), torch.zeros(DIM, requires_grad=True)],
             "q": lin(DIM, DIM), "k": lin(DIM, DIM), "v": lin(DIM, DIM), "o": lin(DIM, DIM),
             "n2": [torch.ones(DIM, requires_grad=True), torch.zeros(DIM, requires_grad=True)],
             "f1": lin(DIM, HIDDEN), "f2": lin(HIDDEN, DIM)}
    params.append(layer)
mask = torch.triu(torch.full((SEQ, SEQ), -1e9), diagonal=1)
x = torch.randn(BATCH, SEQ, DIM)


def heads(t):
    return t.view(BATCH, SEQ, HEADS, DIM // HEADS).transpose(1, 2)


def forward(h):
    for p in params:
        a = F.layer_norm(h, (DIM,), *p["n1"], 1e-6)
        q, k, v = (heads(F.linear(a, p[n][0].t(), p[n][1])) for n in "qkv")
        probs = ((q * (DIM // HEADS) ** -0.5) @ k.transpose(-1, -2) + mask).softmax(-1)
        ctx = (probs @ v).transpose(1, 2).reshape(BATCH, SEQ, DIM)
        h = h + F.linear(ctx, p["o"][0].t(), p["o"][1])
        f = F.layer_norm(h, (DIM,), *p["n2"], 1e-6)
        h = h + F.linear(F.gelu(F.linear(f, p["f1"][0].t(), p["f1"][1])), p["f2"][0].t(), p["f2"][1])
    return h


times = []
for i in range(steps + 3):
    t0 = time.perf_counter()
    forward(x).pow(2).mean().backward()
    for layer in params:
        for pair in layer.values():
            for t in pair:
                t.grad = None
    if i >= 3:
        times.append((time.perf_counter() - t0) * 1000)
print(f"torch {torch.__version__} threads={threads}: 4-layer stack fwd+bwd median {statistics.median(times):.1f} ms "
      f"(min {min(times):.1f}, {steps} steps)")
