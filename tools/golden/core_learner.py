"""Goldens for LearnerTest (axlearn-core): 5 optimizer steps of torch.optim on fixed gradients.

Each case file holds params/<path> (initial values of three small tensors), grads/<step>/<path>
(fixed random gradients for steps 1..5), outputs/<step>/<path> (the params after that step),
outputs/norms [5] (global L2 norm of each step's gradients, before clipping), outputs/lr [5] (the
learning rate used at each step) and the hyper-parameters as metadata.

dense/bias has weight-decay scale 0 on the Java side; here it sits in its own param group with
weight_decay=0, which is how torch expresses a per-parameter decay scale of 0.

Step numbering: axlearn (and axlearn-jvm) count steps from 1, and the first update uses the
schedule's value at step 1 and Adam's bias correction with t=1. torch.optim's own step counter
also starts at 1 for the first step, so bias corrections agree. For the schedule case the script
sets group["lr"] by hand to schedule(t) before the t-th opt.step(); with torch's LambdaLR the same
thing is lr_lambda(count) = schedule(count + 1), since LambdaLR's counter is 0 for the first step.

Per-parameter rules ("adamw_rules"): a fourth parameter head/weight is frozen (requires_grad False,
in no param group, so it has no state, no update and no part in the clipped norm; its grads/ are
stored anyway, for the Java side to ignore); every other parameter decays, dense/bias included
(weightDecayScales {".*": 1.0} on the Java side); embed/weight sits in a group with lr * 0.5
(learningRateScales {"embed/.*": 0.5}). The Java rules are stored as JSON metadata.

Lion: torch 1.13 has no Lion, so lion_step() below writes the update from the paper
(https://arxiv.org/abs/2302.06675, Algorithm 2) with torch tensor ops:
    c = b1*m + (1-b1)*g;  p = p*(1 - lr*wd) - lr*sign(c);  m = b2*m + (1-b2)*g.
"""
import math

import torch

from golden_common import generator, golden_dir, randn, save

STEPS = 5
SHAPES = {"dense/weight": (3, 4), "dense/bias": (4,), "embed/weight": (5, 3)}
NO_DECAY = {"dense/bias"}

CASES = {
    "sgd": dict(optimizer="sgd", lr=0.1),
    "sgd_momentum": dict(optimizer="sgd", lr=0.1, momentum=0.9, weightDecay=0.05),
    "sgd_nesterov": dict(optimizer="sgd", lr=0.1, momentum=0.8, nesterov=True),
    "adam": dict(optimizer="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8),
    "adamw": dict(optimizer="adamw", lr=0.01, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1),
    "lion": dict(optimizer="lion", lr=0.01, beta1=0.9, beta2=0.99, weightDecay=0.5),
    "adam_clip": dict(optimizer="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8,
                      maxNorm=1.0, clipEps=1e-6),
    "adamw_rules": dict(optimizer="adamw", lr=0.01, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1,
                        maxNorm=1.0, clipEps=1e-6,
                        weightDecayScales='{".*": 1.0}', learningRateScales='{"embed/.*": 0.5}',
                        frozenParams='["head/.*"]'),
    "adam_cosine": dict(optimizer="adam", beta1=0.9, beta2=0.999, eps=1e-8,
                        schedule="cosine", peak=0.1, warmupSteps=2, maxStep=4, alpha=0.1,
                        beginValue=0.01),
}


def cosine_with_linear_warmup(step, peak, warmupSteps, maxStep, alpha, beginValue):
    """axlearn's cosine_with_linear_warmup at a 1-based step (an independent Python version)."""
    if step <= warmupSteps:
        return beginValue + (peak - beginValue) * step / warmupSteps
    decay = maxStep - warmupSteps
    frac = min(step - warmupSteps, decay) / decay
    return peak * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * frac)) + alpha)


def lr_at(case, step):
    if case.get("schedule") == "cosine":
        return cosine_with_linear_warmup(step, case["peak"], case["warmupSteps"], case["maxStep"],
                                         case["alpha"], case["beginValue"])
    return case["lr"]


RULES_SHAPES = dict(SHAPES, **{"head/weight": (4, 2)})
FROZEN = {"head/weight"}
LR_SCALES = {"embed/weight": 0.5}


def make_optimizer(case, params):
    if "frozenParams" in case:
        return make_rules_optimizer(case, params)
    decay = [p for n, p in params.items() if n not in NO_DECAY]
    no_decay = [p for n, p in params.items() if n in NO_DECAY]
    wd = case.get("weightDecay", 0.0)
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    kind = case["optimizer"]
    lr = lr_at(case, 1)
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=case.get("momentum", 0.0),
                               nesterov=case.get("nesterov", False))
    betas = (case["beta1"], case["beta2"])
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=case["eps"])
    if kind == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=case["eps"])
    return None  # lion: by hand


def make_rules_optimizer(case, params):
    """AdamW decaying every trainable parameter, one group per learning-rate scale."""
    groups = {}
    for n, p in params.items():
        if n in FROZEN:
            p.requires_grad_(False)
            continue
        groups.setdefault(LR_SCALES.get(n, 1.0), []).append(p)
    opt = torch.optim.AdamW([{"params": ps, "weight_decay": case["weightDecay"]}
                             for ps in groups.values()],
                            lr=case["lr"], betas=(case["beta1"], case["beta2"]), eps=case["eps"])
    for group, scale in zip(opt.param_groups, groups):
        group["lr_scale"] = scale
    return opt


@torch.no_grad()
def lion_step(case, params, moments, lr):
    b1, b2, wd = case["beta1"], case["beta2"], case.get("weightDecay", 0.0)
    for n, p in params.items():
        g, m = p.grad, moments[n]
        c = (m * b1).add_(g * (1 - b1)).sign()
        d = wd * (0.0 if n in NO_DECAY else 1.0)
        if d != 0:
            p.mul_(1 - lr * d)
        p.sub_(c * lr)
        m.mul_(b2).add_(g * (1 - b2))


def run(name, case):
    g = generator(2024)
    shapes = RULES_SHAPES if "frozenParams" in case else SHAPES
    params = {n: randn(g, *s).requires_grad_() for n, s in shapes.items()}
    tensors = {"params/" + n: p.detach().clone() for n, p in params.items()}
    opt = make_optimizer(case, params)
    moments = {n: torch.zeros_like(p) for n, p in params.items()}
    norms, lrs = [], []
    for step in range(1, STEPS + 1):
        for n, p in params.items():
            grad = randn(g, *p.shape)
            tensors[f"grads/{step}/{n}"] = grad.clone()
            p.grad = grad if p.requires_grad else None
        trained = [p for p in params.values() if p.requires_grad]
        norm = torch.norm(torch.stack([torch.norm(p.grad) for p in trained]))
        if "maxNorm" in case:
            clipped = torch.nn.utils.clip_grad_norm_(trained, case["maxNorm"])
            assert torch.equal(clipped, norm)
        norms.append(norm.item())
        lr = lr_at(case, step)
        lrs.append(lr)
        if opt is None:
            lion_step(case, params, moments, lr)
        else:
            for group in opt.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)
            opt.step()
        for n, p in params.items():
            tensors[f"outputs/{step}/{n}"] = p.detach().clone()
    tensors["outputs/norms"] = torch.tensor(norms, dtype=torch.float32)
    tensors["outputs/lr"] = torch.tensor(lrs, dtype=torch.float64)
    meta = dict(case)
    meta["steps"] = STEPS
    meta["noDecay"] = ",".join(sorted(NO_DECAY))
    save(f"{out_dir}/{name}.safetensors", tensors, meta)


out_dir = golden_dir("axlearn-core", "LearnerTest")
for case_name, hyper in CASES.items():
    run(case_name, hyper)
