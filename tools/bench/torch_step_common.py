"""Shared harness of the PyTorch side of tools/bench/compare: times the full training step of a
model the way `./axlearn bench` times ours, and prints one JSON line.

A step is: take the next batch (a slice of a pre-made random tensor, so the input costs what a
host-side batch costs), zero the gradients (set to None), forward, loss, backward, optional
global-norm clipping, AdamW step, and read the loss back to the host (`loss.item()`, as our
trainer reads the loss). AdamW decays only the parameters our ParamSpecs decay (weights and
embeddings: weight decay 0 for biases, norms and class tokens), and its learning rate is a constant
(ours follows a cosine schedule, one scalar per step).

Run with Debian's interpreter: /usr/bin/python3 tools/bench/<model>_step.py [--threads 2]
[--steps 30] [--warmup 10].
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args(description, batch):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (intra-op)")
    p.add_argument("--steps", type=int, default=30, help="timed steps")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    p.add_argument("--batch", type=int, default=batch)
    return p.parse_args()


def adamw(model, lr, weight_decay, no_decay=lambda name, p: p.dim() < 2):
    """torch.optim.AdamW with weight decay only where axlearn-jvm's ParamSpecs decay."""
    decay, plain = [], []
    for name, p in model.named_parameters():
        (plain if no_decay(name, p) else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay},
              {"params": plain, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)


def bench(name, model, batches, loss_fn, args, opt, clip=None, extra=None):
    """Times args.warmup + args.steps training steps; prints and returns the JSON line.

    batches: a function of the step index returning (inputs, targets).
    clip: the global gradient norm to clip at, or None.
    """
    torch.set_num_threads(args.threads)
    model.train()
    params = [p for p in model.parameters()]
    n_params = sum(p.numel() for p in params)

    phases = {"forward": [], "backward": [], "update": []}

    def step(i):
        x, y = batches(i)
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        value = loss.item()
        t3 = time.perf_counter()
        for name, ms in (("forward", t1 - t0), ("backward", t2 - t1), ("update", t3 - t2)):
            phases[name].append(ms * 1e3)
        return value

    first_loss = None
    for i in range(args.warmup):
        loss = step(i)
        first_loss = loss if first_loss is None else first_loss
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    times = []
    for name in phases:
        phases[name].clear()
    for i in range(args.steps):
        t0 = time.perf_counter()
        loss = step(args.warmup + i)
        times.append((time.perf_counter() - t0) * 1e3)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / args.steps
    result = {
        "bench": name,
        "engine": "torch " + torch.__version__,
        "params": n_params,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "steps": args.steps,
        "warmup": args.warmup,
        "step_ms_median": statistics.median(times),
        "step_ms_min": min(times),
        "step_ms_max": max(times),
        "first_loss": first_loss,
        "last_loss": loss,
        "minor_faults_per_step": faults,
        # Phase medians, as ours reports them: forward with the loss, backward, update (clipping,
        # the optimiser and the loss read back to the host).
        "forward_ms": statistics.median(phases["forward"]),
        "backward_ms": statistics.median(phases["backward"]),
        "update_ms": statistics.median(phases["update"]),
        "glibc_tunables": os.environ.get("GLIBC_TUNABLES"),
    }
    result.update(extra or {})
    print(json.dumps(result), flush=True)
    return result


class PreNormBlock(nn.Module):
    """axlearn-jvm's pre-norm TransformerLayer: LN (eps 1e-6) -> separate q/k/v projections (bias)
    -> softmax attention (queries scaled by 1/sqrt(head_dim)) -> output projection (bias) ->
    residual -> LN -> linear (bias) -> exact GELU -> linear (bias) -> residual.

    forward(x, rotate=None, mask=None): rotate(t) is applied to queries and keys [B, N, T, H],
    mask is added to the attention logits.
    """

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.attention_norm = nn.LayerNorm(d, eps=1e-6)
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.o_proj = nn.Linear(d, d)
        self.feed_forward_norm = nn.LayerNorm(d, eps=1e-6)
        self.linear1 = nn.Linear(d, ffn)
        self.linear2 = nn.Linear(ffn, d)

    def split(self, t):
        b, s, d = t.shape
        return t.view(b, s, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, rotate=None, mask=None):
        b, s, d = x.shape
        h = self.attention_norm(x)
        q, k, v = self.split(self.q_proj(h)), self.split(self.k_proj(h)), self.split(self.v_proj(h))
        if rotate is not None:
            q, k = rotate(q), rotate(k)
        logits = (q * (d // self.heads) ** -0.5) @ k.transpose(-1, -2)
        if mask is not None:
            logits = logits + mask
        context = (logits.softmax(-1) @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.o_proj(context)
        return x + self.linear2(F.gelu(self.linear1(self.feed_forward_norm(x))))
