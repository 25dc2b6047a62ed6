"""Writes axlearn-core's fused_adam.pt: a TorchScript module whose two methods call PyTorch's fused
multi-tensor Adam kernels, torch._fused_adamw_ (forward) and torch._fused_adam_ (adam), which DJL's
JNI does not expose. axlearn-jvm's Adam loads it through DJL and updates every parameter of a group
in one call: one pass over each parameter, its gradient and its two moments, instead of a dozen
DJL ops per parameter.

    /usr/bin/python3 tools/optim/fused_adam_module.py \
        axlearn-core/src/main/resources/io/axlearn/core/learner/fused_adam.pt

Debian's torch (1.13) predates the fused CPU kernels (PyTorch 2.4), so its TorchScript compiler
cannot resolve them. The script compiles the module with a placeholder call of the same arguments,
then writes the archive again with the placeholder replaced by the fused call: a TorchScript
archive holds its code as source, compiled again when libtorch loads it, so DJL's libtorch (2.7.1)
resolves the fused kernels itself. The debug tables (source ranges of the placeholder) are left out.
"""
import io
import sys
import zipfile
from typing import List

import torch
from torch import Tensor

PLACEHOLDER = "torch._foreach_add_(params, grads)"
CALL = ("torch.{op}(params, grads, mu, nu, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, "
        "beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)")


class FusedAdam(torch.nn.Module):
    """forward: AdamW (decoupled decay); adam: Adam (decay added to the gradient). Both update
    params, mu and nu in place; step is the 1-based step as a float32 scalar tensor."""

    def forward(self, params: List[Tensor], grads: List[Tensor], mu: List[Tensor], nu: List[Tensor],
                step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float,
                eps: float) -> int:
        steps = [step for _ in params]
        torch._foreach_add_(params, grads)  # becomes torch._fused_adamw_
        return len(steps)

    @torch.jit.export
    def adam(self, params: List[Tensor], grads: List[Tensor], mu: List[Tensor], nu: List[Tensor],
             step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float,
             eps: float) -> int:
        steps = [step for _ in params]
        torch._foreach_add_(params, grads)  # becomes torch._fused_adam_
        return len(steps)


def main():
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(FusedAdam()), buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            if info.filename.endswith(".debug_pkl"):
                continue
            data = src.read(info.filename)
            if info.filename.endswith("code/__torch__.py"):
                text = data.decode()
                head, sep, tail = text.partition("def adam(")
                assert sep and head.count(PLACEHOLDER) == 1 and tail.count(PLACEHOLDER) == 1, text
                text = (head.replace(PLACEHOLDER, CALL.format(op="_fused_adamw_")) + sep
                        + tail.replace(PLACEHOLDER, CALL.format(op="_fused_adam_")))
                data = text.encode()
            info.date_time = (1980, 1, 1, 0, 0, 0)  # reproducible bytes
            out.writestr(info, data)


if __name__ == "__main__":
    main()
