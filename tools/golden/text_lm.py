"""Goldens for the causal LM (axlearn-text): CausalLmTest.

A small GPT-2-style model written with torch.nn modules (nn.Embedding, nn.MultiheadAttention,
nn.LayerNorm, nn.Linear), independent of the hand-written attention in core_attention.py: token
embedding plus learned absolute position embedding, pre-norm causal layers with a GELU MLP, a final
LayerNorm and an untied output head with bias. Records the logits and the gradients of
sum(logits * dy) for every parameter, in axlearn-jvm's paths and layouts (Linear weight [in, out];
nn.MultiheadAttention's packed in_proj is split into q_proj, k_proj and v_proj).
"""
import torch
import torch.nn as nn

from golden_common import generator, golden_dir, randn, save

VOCAB, DIM, HEADS, HIDDEN, LAYERS, MAX_POS = 11, 8, 2, 16, 2, 9
EPS = 1e-6


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM, eps=EPS)
        self.attn = nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(DIM, eps=EPS)
        self.fc1 = nn.Linear(DIM, HIDDEN)
        self.fc2 = nn.Linear(HIDDEN, DIM)

    def forward(self, x):
        t = x.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, DIM)
        self.wpe = nn.Embedding(MAX_POS, DIM)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(DIM, eps=EPS)
        self.head = nn.Linear(DIM, VOCAB, bias=True)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))[None]
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln_f(x))


def randomise(model, g):
    """Non-trivial values everywhere (norm scales near 1, biases nonzero)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln1.weight") or name.endswith("ln2.weight") or name == "ln_f.weight":
                p.copy_(1 + randn(g, *p.shape, scale=0.1))
            else:
                p.copy_(randn(g, *p.shape, scale=0.3))


def ours(model):
    """(our path -> (tensor in our layout, torch parameter, how to map a torch gradient))."""
    out = {}

    def linear(path, weight, bias):
        out[f"{path}/weight"] = (weight.t(), weight, lambda g: g.t())
        out[f"{path}/bias"] = (bias, bias, lambda g: g)

    def norm(path, ln):
        out[f"{path}/scale"] = (ln.weight, ln.weight, lambda g: g)
        out[f"{path}/bias"] = (ln.bias, ln.bias, lambda g: g)

    out["embedding/weight"] = (model.wte.weight, model.wte.weight, lambda g: g)
    out["position_embedding/weight"] = (model.wpe.weight, model.wpe.weight, lambda g: g)
    for i, b in enumerate(model.blocks):
        pre = f"decoder/layer{i}/"
        norm(pre + "attention_norm", b.ln1)
        w, bias = b.attn.in_proj_weight, b.attn.in_proj_bias
        for k, name in enumerate(["q_proj", "k_proj", "v_proj"]):
            rows = slice(k * DIM, (k + 1) * DIM)
            out[f"{pre}self_attention/{name}/weight"] = (
                w[rows].t(), w, lambda g, rows=rows: g[rows].t())
            out[f"{pre}self_attention/{name}/bias"] = (bias[rows], bias, lambda g, rows=rows: g[rows])
        linear(pre + "self_attention/o_proj", b.attn.out_proj.weight, b.attn.out_proj.bias)
        norm(pre + "feed_forward_norm", b.ln2)
        linear(pre + "feed_forward/linear1", b.fc1.weight, b.fc1.bias)
        linear(pre + "feed_forward/linear2", b.fc2.weight, b.fc2.bias)
    norm("output_norm", model.ln_f)
    linear("lm_head", model.head.weight, model.head.bias)
    return out


torch.manual_seed(0)
model = Gpt()
g = generator(4242)
randomise(model, g)
ids = torch.randint(0, VOCAB, (2, 7), generator=g)
logits = model(ids)
dy = randn(generator(99), *logits.shape)
(logits * dy).sum().backward()
tensors = {"inputs/ids": ids.to(torch.int64), "inputs/dy": dy, "outputs/y": logits}
for path, (value, param, grad_of) in ours(model).items():
    tensors["params/" + path] = value.detach().clone()
    tensors["grads/" + path] = grad_of(param.grad).detach().clone()
save(f"{golden_dir('axlearn-text', 'CausalLmTest')}/gpt_learned_untied.safetensors", tensors,
     {"vocabSize": VOCAB, "dim": DIM, "numHeads": HEADS, "hiddenDim": HIDDEN, "numLayers": LAYERS,
      "maxPositions": MAX_POS})
