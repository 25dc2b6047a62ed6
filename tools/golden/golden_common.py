"""Shared helpers for the golden generators: deterministic inputs and a safetensors writer.

Each generator writes files under <module>/src/test/resources/golden/<TestClass>/<case>.safetensors
with tensors named params/<path> (in axlearn-jvm's layouts, e.g. Linear weight [in, out]),
inputs/<name>, outputs/<name> and grads/<name> (gradient of sum(output * inputs/dy)), plus string
metadata (the layer's config values). Run with Debian's python3-torch:

    /usr/bin/python3 tools/golden/<generator>.py

CI and the Java tests never run Python; they read the committed files.
"""
import json
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
           torch.bool: "BOOL", torch.uint8: "U8"}


def golden_dir(module, test_class):
    path = os.path.join(ROOT, module, "src", "test", "resources", "golden", test_class)
    os.makedirs(path, exist_ok=True)
    return path


def save(path, tensors, metadata=None):
    """Writes tensors (name -> torch.Tensor) and string metadata as a safetensors file."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    print("wrote", os.path.relpath(path, ROOT), "(%d tensors)" % len(tensors))


def generator(seed):
    g = torch.Generator().manual_seed(seed)
    return g


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g, dtype=torch.float32) * scale


def grads_of(out, dy, named):
    """Gradients of sum(out * dy) w.r.t. each tensor in named (name -> leaf tensor)."""
    names = list(named)
    gs = torch.autograd.grad((out * dy).sum(), [named[n] for n in names], allow_unused=True)
    return {"grads/" + n: (g if g is not None else torch.zeros_like(named[n])) for n, g in zip(names, gs)}


def save_case(path, params, inputs, y, meta, with_grads=True, dy_seed=5):
    """Saves params/, inputs/, outputs/y, a random upstream inputs/dy (seeded by dy_seed) and,
    with with_grads, grads/ of sum(y * dy) for every parameter and float input."""
    dy = randn(generator(dy_seed), *y.shape)
    tensors = {"outputs/y": y, "inputs/dy": dy}
    tensors.update({"params/" + k: v for k, v in params.items()})
    tensors.update({"inputs/" + k: v for k, v in inputs.items()})
    if with_grads:
        named = dict(params)
        named.update({k: v for k, v in inputs.items() if v.dtype == torch.float32})
        tensors.update(grads_of(y, dy, named))
    save(path, tensors, meta)
