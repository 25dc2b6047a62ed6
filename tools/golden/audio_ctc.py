"""Goldens for axlearn-audio's CTC loss: torch.nn.functional.ctc_loss (blank 0) on log-softmaxed
random logits, per-example losses and the gradient of the mean-reduced loss w.r.t. the logits.

Cases: "random" (short sequences with repeated labels, one empty label sequence, unequal input
lengths) and "real" (lengths of a 4 s clip after 4x subsampling, 100 frames, labels up to 30).
Run: /usr/bin/python3 tools/golden/audio_ctc.py
"""
import os

import torch

from golden_common import generator, golden_dir, randn, save


def case(name, logits, targets, input_lengths, target_lengths):
    logits = logits.clone().requires_grad_(True)
    log_probs = logits.log_softmax(-1)
    args = (log_probs.transpose(0, 1), targets, input_lengths, target_lengths)
    per_example = torch.nn.functional.ctc_loss(*args, blank=0, reduction="none")
    mean = torch.nn.functional.ctc_loss(*args, blank=0, reduction="mean")
    (grad,) = torch.autograd.grad(mean, [logits])
    out = golden_dir("axlearn-audio", "CtcLossTest")
    save(os.path.join(out, name + ".safetensors"),
         {"inputs/logits": logits.detach(), "inputs/labels": targets.int(),
          "inputs/input_lengths": input_lengths.int(), "inputs/label_lengths": target_lengths.int(),
          "outputs/loss": per_example.detach(), "outputs/mean": mean.detach().reshape(1),
          "grads/logits": grad})


if __name__ == "__main__":
    g = generator(11)
    labels = torch.tensor([[1, 1, 2, 0, 0], [3, 4, 3, 3, 5], [0, 0, 0, 0, 0], [2, 5, 0, 0, 0]])
    case("random", randn(g, 4, 12, 6, scale=2.0), labels,
         torch.tensor([12, 11, 7, 5]), torch.tensor([3, 5, 0, 2]))
    gen = torch.Generator().manual_seed(12)
    b, t, v, lmax = 5, 100, 12, 30
    target_lengths = torch.tensor([30, 17, 1, 25, 9])
    targets = torch.randint(1, v, (b, lmax), generator=gen)
    for i, n in enumerate(target_lengths):
        targets[i, n:] = 0
    case("real", randn(g, b, t, v), targets, torch.tensor([100, 64, 20, 93, 41]), target_lengths)
