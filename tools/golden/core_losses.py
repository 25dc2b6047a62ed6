"""Goldens for CrossEntropyTest and SigmoidCrossEntropyTest (axlearn-core, io.axlearn.core.losses).

Cross-entropy: torch.nn.functional.cross_entropy(logits, targets, label_smoothing=eps,
reduction='none') per target, then the weighted mean sum(w * ce) / sum(w); the z-loss is written out
explicitly as zLossScale * sum(w * logsumexp(logits)^2) / sum(w). Each case file holds
inputs/logits [..., V], inputs/targets [...] (int64), inputs/weights [...], outputs/loss (the total),
outputs/cross_entropy, outputs/z_loss, outputs/per_target, outputs/accuracy, outputs/total_weight
and grads/logits = d loss / d logits, with labelSmoothing and zLossScale as metadata.

Sigmoid cross-entropy: torch.nn.functional.binary_cross_entropy_with_logits(reduction='none'),
weighted the same way; outputs/loss, outputs/per_target, outputs/accuracy (sigmoid > 1/2 agrees
with a target > 1/2), grads/logits.
"""
import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save

CE_CASES = {
    # [B, T, V] language-model logits, every weight 1 (the Java test uses the 2-argument forward).
    "lm_plain": dict(shape=(2, 5, 11), labelSmoothing=0.0, zLossScale=0.0, weights="ones"),
    # Label smoothing and per-token weights with masked (0) and fractional entries.
    "lm_smoothing_weights": dict(shape=(2, 5, 11), labelSmoothing=0.1, zLossScale=0.0,
                                 weights="mixed"),
    # Everything at once on [B, V] classifier logits.
    "classifier_smoothing_zloss": dict(shape=(6, 7), labelSmoothing=0.2, zLossScale=0.01,
                                       weights="mixed"),
    # z-loss alone, on larger logits so that logsumexp is far from 0.
    "lm_zloss": dict(shape=(3, 4, 9), labelSmoothing=0.0, zLossScale=1e-4, weights="mixed",
                     scale=8.0),
}


def make_weights(g, kind, shape):
    if kind == "ones":
        return torch.ones(shape)
    w = torch.rand(shape, generator=g) * 2
    w[torch.rand(shape, generator=g) < 0.3] = 0.0
    return w


def cross_entropy_case(name, case):
    g = generator(7)
    shape = case["shape"]
    num_classes = shape[-1]
    logits = randn(g, *shape, scale=case.get("scale", 3.0)).requires_grad_()
    targets = torch.randint(0, num_classes, shape[:-1], generator=g)
    # Make some targets the arg-max so that accuracy is neither 0 nor 1.
    hit = torch.rand(shape[:-1], generator=g) < 0.4
    targets = torch.where(hit, logits.detach().argmax(-1), targets)
    weights = make_weights(g, case["weights"], shape[:-1])
    eps, z_scale = case["labelSmoothing"], case["zLossScale"]

    flat = logits.reshape(-1, num_classes)
    per_target = F.cross_entropy(flat, targets.reshape(-1), label_smoothing=eps,
                                 reduction="none").reshape(shape[:-1])
    total = weights.sum()
    ce = (per_target * weights).sum() / total
    z_loss = z_scale * (torch.logsumexp(logits, -1) ** 2 * weights).sum() / total
    loss = ce + z_loss
    (grad,) = torch.autograd.grad(loss, [logits])
    correct = (logits.detach().argmax(-1) == targets).float()
    tensors = {
        "inputs/logits": logits.detach(), "inputs/targets": targets, "inputs/weights": weights,
        "outputs/loss": loss.detach(), "outputs/cross_entropy": ce.detach(),
        "outputs/z_loss": z_loss.detach(), "outputs/per_target": per_target.detach(),
        "outputs/accuracy": (correct * weights).sum() / total, "outputs/total_weight": total,
        "grads/logits": grad,
    }
    save(f"{golden_dir('axlearn-core', 'CrossEntropyTest')}/{name}.safetensors", tensors,
         dict(labelSmoothing=eps, zLossScale=z_scale))


def sigmoid_case():
    g = generator(11)
    shape = (4, 6)
    logits = randn(g, *shape, scale=3.0).requires_grad_()
    targets = (torch.rand(shape, generator=g) < 0.5).float()
    targets[0, :3] = torch.tensor([0.25, 0.5, 0.9])  # soft targets are allowed
    weights = make_weights(g, "mixed", shape)
    per_target = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    total = weights.sum()
    loss = (per_target * weights).sum() / total
    (grad,) = torch.autograd.grad(loss, [logits])
    correct = ((logits.detach() > 0) == (targets > 0.5)).float()
    tensors = {
        "inputs/logits": logits.detach(), "inputs/targets": targets, "inputs/weights": weights,
        "outputs/loss": loss.detach(), "outputs/per_target": per_target.detach(),
        "outputs/accuracy": (correct * weights).sum() / total, "outputs/total_weight": total,
        "grads/logits": grad,
    }
    save(f"{golden_dir('axlearn-core', 'SigmoidCrossEntropyTest')}/weighted.safetensors", tensors,
         {})


for case_name, spec in CE_CASES.items():
    cross_entropy_case(case_name, spec)
sigmoid_case()
