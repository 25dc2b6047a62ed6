"""Goldens for the attention package (axlearn-core): MultiheadAttentionTest, FeedForwardTest,
TransformerLayerTest and StackedTransformerTest.

A plain-PyTorch re-statement of each block (torch 1.13 has no fused attention); parameters use
axlearn-jvm's paths and layouts (Linear weight [in, out]). Rotary embeddings use the "rotate half"
convention (GPT-NeoX/Llama). Blocked attention entries get a bias of -1e9, as in AttentionBias.
"""
import math

import torch
import torch.nn.functional as F

from golden_common import generator, golden_dir, grads_of, randn, save, save_case

NEG = -1e9


def linear_params(g, prefix, d_in, d_out, scale=0.3):
    return {f"{prefix}/weight": randn(g, d_in, d_out, scale=scale), f"{prefix}/bias": randn(g, d_out, scale=0.1)}


def linear(p, prefix, x):
    y = x @ p[f"{prefix}/weight"]
    bias = p.get(f"{prefix}/bias")
    return y if bias is None else y + bias


def rope(x, offset, theta=10000.0):
    b, n, length, h = x.shape
    half = h // 2
    inv = torch.tensor([theta ** (-2.0 * i / h) for i in range(half)], dtype=torch.float64)
    pos = torch.arange(offset, offset + length, dtype=torch.float64)
    ang = pos[:, None] * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1).float()
    sin = torch.cat([ang.sin(), ang.sin()], -1).float()
    x1, x2 = x[..., :half], x[..., half:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def mha(p, pre, x, kv=None, *, heads, kv_heads=None, head_dim, causal=False, rotary=False, cap=None, bias=None,
        scale=None, return_probs=False):
    kv_heads = kv_heads or heads
    src = x if kv is None else kv
    b, t, _ = x.shape
    s = src.shape[1]
    q = linear(p, f"{pre}q_proj", x).view(b, t, heads, head_dim).transpose(1, 2)
    k = linear(p, f"{pre}k_proj", src).view(b, s, kv_heads, head_dim).transpose(1, 2)
    v = linear(p, f"{pre}v_proj", src).view(b, s, kv_heads, head_dim).transpose(1, 2)
    if rotary:
        q, k = rope(q, 0), rope(k, 0)
    if kv_heads != heads:
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
    logits = (q * (1.0 / math.sqrt(head_dim) if scale is None else scale)) @ k.transpose(-1, -2)
    if cap is not None:
        logits = torch.tanh(logits / cap) * cap
    if bias is not None:
        logits = logits + bias
    if causal:
        logits = logits + torch.triu(torch.full((t, s), NEG), diagonal=1)
    probs = logits.softmax(-1)
    out = linear(p, f"{pre}o_proj", (probs @ v).transpose(1, 2).reshape(b, t, heads * head_dim))
    return (out, probs) if return_probs else out


def mha_params(g, pre, d, heads, kv_heads, head_dim, bias=True, out_dim=None):
    p = {}
    p.update(linear_params(g, f"{pre}q_proj", d, heads * head_dim))
    p.update(linear_params(g, f"{pre}k_proj", d, kv_heads * head_dim))
    p.update(linear_params(g, f"{pre}v_proj", d, kv_heads * head_dim))
    p.update(linear_params(g, f"{pre}o_proj", heads * head_dim, out_dim or d))
    return p if bias else {k: v for k, v in p.items() if not k.endswith("/bias")}


def ffn(p, pre, x, gated, act):
    if gated:
        h = act(linear(p, f"{pre}linear1_0", x)) * linear(p, f"{pre}linear1_1", x)
    else:
        h = act(linear(p, f"{pre}linear1", x))
    return linear(p, f"{pre}linear2", h)


def ffn_params(g, pre, d, hidden, gated):
    p = {}
    for name in (["linear1_0", "linear1_1"] if gated else ["linear1"]):
        p.update(linear_params(g, f"{pre}{name}", d, hidden))
    p.update(linear_params(g, f"{pre}linear2", hidden, d))
    return p


def norm_params(g, pre, d):
    return {f"{pre}scale": 1 + randn(g, d, scale=0.1), f"{pre}bias": randn(g, d, scale=0.1)}


def layer_norm(p, pre, x):
    return F.layer_norm(x, (x.shape[-1],), p[f"{pre}scale"], p[f"{pre}bias"], 1e-6)


def layer_params(g, pre, d, heads, hidden):
    p = {}
    p.update(norm_params(g, f"{pre}attention_norm/", d))
    p.update(mha_params(g, f"{pre}self_attention/", d, heads, heads, d // heads))
    p.update(norm_params(g, f"{pre}feed_forward_norm/", d))
    p.update(ffn_params(g, f"{pre}feed_forward/", d, hidden, False))
    return p


def transformer_layer(p, pre, x, structure, heads, causal):
    d = x.shape[-1]
    attn = lambda h: mha(p, f"{pre}self_attention/", h, heads=heads, head_dim=d // heads, causal=causal)
    ff = lambda h: ffn(p, f"{pre}feed_forward/", h, False, F.gelu)
    if structure == "PRE_NORM":
        h = x + attn(layer_norm(p, f"{pre}attention_norm/", x))
        return h + ff(layer_norm(p, f"{pre}feed_forward_norm/", h))
    h = layer_norm(p, f"{pre}attention_norm/", x + attn(x))
    return layer_norm(p, f"{pre}feed_forward_norm/", h + ff(h))


def finish(path, params, inputs, y, meta, with_grads=True, grads=None):
    """Saves one case (see golden_common.save_case); dy is seeded with 99."""
    save_case(path, params, inputs, y, meta, with_grads if grads is None else grads, dy_seed=99)


def leaves(d):
    return {k: v.clone().requires_grad_() for k, v in d.items()}


out = golden_dir("axlearn-core", "MultiheadAttentionTest")
cases = {
    "self": dict(d=8, heads=2, kv=None),
    "causal_rotary": dict(d=8, heads=2, kv=None, causal=True, rotary=True),
    "gqa": dict(d=16, heads=4, kv=2, causal=True),
    "padding": dict(d=8, heads=2, kv=None, padding=True),
    "segments": dict(d=8, heads=2, kv=None, segments=True),
    "logit_cap": dict(d=8, heads=2, kv=None, cap=1.5, scale_w=1.5),
    "cross": dict(d=8, heads=2, kv=None, cross=True),
}
for name, c in cases.items():
    g = generator(2024)
    d, heads = c["d"], c["heads"]
    kv_heads = c["kv"] or heads
    head_dim = d // heads
    b, t = 2, 5
    params = leaves(mha_params(g, "", d, heads, kv_heads, head_dim))
    if c.get("scale_w"):
        params = leaves({k: v * c["scale_w"] for k, v in params.items()})
    x = randn(g, b, t, d).requires_grad_()
    inputs = {"x": x}
    kv = None
    if c.get("cross"):
        kv = randn(g, b, 3, d).requires_grad_()
        inputs["kv"] = kv
    bias = None
    if c.get("padding"):
        valid = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.int32)
        inputs["key_valid"] = valid
        bias = ((1 - valid.float()) * NEG)[:, None, None, :]
    if c.get("segments"):
        seg = torch.tensor([[0, 0, 1, 1, 1], [0, 1, 1, 2, 2]], dtype=torch.int32)
        inputs["segments"] = seg
        bias = torch.where(seg[:, None, :, None] == seg[:, None, None, :], 0.0, NEG)
    y = mha(params, "", x, kv, heads=heads, kv_heads=kv_heads, head_dim=head_dim, causal=c.get("causal", False),
            rotary=c.get("rotary", False), cap=c.get("cap"), bias=bias)
    meta = {"inputDim": d, "numHeads": heads, "numKvHeads": kv_heads, "causal": str(c.get("causal", False)).lower(),
            "rotary": str(c.get("rotary", False)).lower(), "cap": c.get("cap", "none")}
    finish(f"{out}/{name}.safetensors", params, inputs, y, meta, with_grads=name in ("causal_rotary", "gqa", "cross"))

out = golden_dir("axlearn-core", "FeedForwardTest")
for name, gated, act, act_name in (("plain", False, F.gelu, "GELU"), ("swiglu", True, F.silu, "SILU")):
    g = generator(31)
    d, hidden = 6, 10
    params = leaves(ffn_params(g, "", d, hidden, gated))
    x = randn(g, 2, 3, d).requires_grad_()
    y = ffn(params, "", x, gated, act)
    finish(f"{out}/{name}.safetensors", params, {"x": x}, y,
           {"inputDim": d, "hiddenDim": hidden, "gated": str(gated).lower(), "activation": act_name}, True)

out = golden_dir("axlearn-core", "TransformerLayerTest")
for structure in ("PRE_NORM", "POST_NORM"):
    g = generator(57)
    d, heads, hidden = 8, 2, 16
    params = leaves(layer_params(g, "", d, heads, hidden))
    x = randn(g, 2, 5, d).requires_grad_()
    y = transformer_layer(params, "", x, structure, heads, causal=True)
    finish(f"{out}/{structure.lower()}.safetensors", params, {"x": x}, y,
           {"inputDim": d, "numHeads": heads, "hiddenDim": hidden, "structure": structure}, True)

out = golden_dir("axlearn-core", "StackedTransformerTest")
g = generator(71)
d, heads, hidden = 8, 2, 16
params = {}
for i in range(2):
    params.update(layer_params(g, f"layer{i}/", d, heads, hidden))
params = leaves(params)
x = randn(g, 2, 6, d).requires_grad_()
h = x
for i in range(2):
    h = transformer_layer(params, f"layer{i}/", h, "PRE_NORM", heads, causal=True)
finish(f"{out}/two_layers.safetensors", params, {"x": x}, h,
       {"inputDim": d, "numHeads": heads, "hiddenDim": hidden, "numLayers": 2}, True)


# ---- Further cases (own seeds, so the files above stay byte-identical) ----

def save_with_probs(path, params, inputs, y, probs, meta):
    """A forward-only case that also records the attention probabilities as outputs/probs."""
    tensors = {"outputs/y": y, "outputs/probs": probs}
    tensors.update({"params/" + k: v for k, v in params.items()})
    tensors.update({"inputs/" + k: v for k, v in inputs.items()})
    save(path, tensors, meta)


out = golden_dir("axlearn-core", "MultiheadAttentionTest")
for name, causal, rotary in (("causal", True, False), ("rotary", False, True)):
    g = generator(2025)
    params = leaves(mha_params(g, "", 8, 2, 2, 4))
    x = randn(g, 2, 5, 8)
    y = mha(params, "", x, heads=2, head_dim=4, causal=causal, rotary=rotary)
    finish(f"{out}/{name}.safetensors", params, {"x": x}, y,
           {"inputDim": 8, "numHeads": 2, "numKvHeads": 2, "causal": str(causal).lower(),
            "rotary": str(rotary).lower(), "cap": "none"}, with_grads=False)

# perHeadDim (3) not inputDim / numHeads, an explicit queryScale, projections without bias and an
# output dimension (6) different from the input's (8); causal, with gradients.
g = generator(2026)
params = leaves(mha_params(g, "", 8, 2, 2, 3, bias=False, out_dim=6))
x = randn(g, 2, 4, 8).requires_grad_()
y = mha(params, "", x, heads=2, head_dim=3, causal=True, scale=0.25)
finish(f"{out}/head_dim.safetensors", params, {"x": x}, y,
       {"inputDim": 8, "numHeads": 2, "perHeadDim": 3, "queryScale": 0.25, "outputDim": 6}, True)

# Cross-attention (T=4 queries, S=3 keys) with key padding; records the probabilities.
g = generator(2027)
params = leaves(mha_params(g, "", 8, 2, 2, 4))
x, kv = randn(g, 2, 4, 8), randn(g, 2, 3, 8)
valid = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.int32)
y, probs = mha(params, "", x, kv, heads=2, head_dim=4, bias=((1 - valid.float()) * NEG)[:, None, None, :],
               return_probs=True)
save_with_probs(f"{out}/cross_padding.safetensors", params, {"x": x, "kv": kv, "key_valid": valid}, y, probs,
                {"inputDim": 8, "numHeads": 2})

# Packed sequences: segment ids + causal + rotary, GQA (4 heads, 2 kv heads); records the probabilities.
g = generator(2028)
params = leaves(mha_params(g, "", 8, 4, 2, 2))
x = randn(g, 2, 6, 8)
seg = torch.tensor([[0, 0, 0, 1, 1, 1], [0, 1, 1, 1, 1, 2]], dtype=torch.int32)
y, probs = mha(params, "", x, heads=4, kv_heads=2, head_dim=2, causal=True, rotary=True,
               bias=torch.where(seg[:, None, :, None] == seg[:, None, None, :], 0.0, NEG), return_probs=True)
save_with_probs(f"{out}/packed_causal.safetensors", params, {"x": x, "segments": seg}, y, probs,
                {"inputDim": 8, "numHeads": 4, "numKvHeads": 2})

out = golden_dir("axlearn-core", "FeedForwardTest")
g = generator(32)
params = leaves(ffn_params(g, "", 6, 10, True))
x = randn(g, 2, 3, 6).requires_grad_()
y = ffn(params, "", x, True, F.gelu)
finish(f"{out}/geglu.safetensors", params, {"x": x}, y,
       {"inputDim": 6, "hiddenDim": 10, "gated": "true", "activation": "GELU"}, True)


def rms_norm(p, pre, x, eps=1e-6):
    return x / (x.square().mean(-1, keepdim=True) + eps).sqrt() * p[f"{pre}scale"]


# A Llama-style layer: pre-norm with RmsNorm, GQA (4 heads, 2 kv heads) with rotary, causal, SwiGLU.
out = golden_dir("axlearn-core", "TransformerLayerTest")
g = generator(58)
d, heads, kv_heads, hidden = 8, 4, 2, 12
params = {"attention_norm/scale": 1 + randn(g, d, scale=0.1)}
params.update(mha_params(g, "self_attention/", d, heads, kv_heads, d // heads))
params["feed_forward_norm/scale"] = 1 + randn(g, d, scale=0.1)
params.update(ffn_params(g, "feed_forward/", d, hidden, True))
params = leaves(params)
x = randn(g, 2, 5, d).requires_grad_()
h = x + mha(params, "self_attention/", rms_norm(params, "attention_norm/", x), heads=heads, kv_heads=kv_heads,
            head_dim=d // heads, causal=True, rotary=True)
y = h + ffn(params, "feed_forward/", rms_norm(params, "feed_forward_norm/", h), True, F.silu)
finish(f"{out}/llama.safetensors", params, {"x": x}, y,
       {"inputDim": d, "numHeads": heads, "numKvHeads": kv_heads, "hiddenDim": hidden}, True)


# A stack of per-layer configs: layer0 pre-norm with 2 heads and hidden 16, layer1 post-norm with
# 4 heads and hidden 12 (StackedTransformer's list form).
out = golden_dir("axlearn-core", "StackedTransformerTest")
g = generator(72)
d = 8
per_layer = (("PRE_NORM", 2, 16), ("POST_NORM", 4, 12))
params = {}
for i, (_, heads, hidden) in enumerate(per_layer):
    params.update(layer_params(g, f"layer{i}/", d, heads, hidden))
params = leaves(params)
x = randn(g, 2, 5, d).requires_grad_()
h = x
for i, (structure, heads, _) in enumerate(per_layer):
    h = transformer_layer(params, f"layer{i}/", h, structure, heads, causal=True)
finish(f"{out}/per_layer.safetensors", params, {"x": x}, h,
       {"inputDim": d, "structures": ",".join(s for s, _, _ in per_layer),
        "numHeads": ",".join(str(n) for _, n, _ in per_layer),
        "hiddenDims": ",".join(str(n) for _, _, n in per_layer)}, True)
