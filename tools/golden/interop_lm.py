"""Goldens for the Hugging Face GPT-2 and Llama name maps (axlearn-text): LmWeightsTest.

GPT-2 (GPT2LMHeadModel) and a Llama-style decoder (LlamaForCausalLM) written with torch.nn modules
whose state_dict() names are exactly Hugging Face's, without the `transformers` package:

* gpt2: transformer.{wte,wpe}, transformer.h.{i}.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
  mlp.c_proj}, transformer.ln_f, lm_head tied to wte. Conv1D weights are [in, out]; c_attn holds
  q, k, v fused along its output axis. GELU with the tanh approximation, LayerNorm eps 1e-5. The
  causal-mask buffers attn.bias / attn.masked_bias are in the state dict, as in older checkpoints.
* llama: model.embed_tokens, model.layers.{i}.{input_layernorm, self_attn.{q,k,v,o}_proj,
  post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm, lm_head (untied). RMSNorm eps
  1e-6, rotary embeddings ("rotate half", theta 10000) with the rotary_emb.inv_freq buffer,
  grouped-query attention (4 query heads, 2 key/value heads), SwiGLU feed-forward, no biases.

Files (axlearn-text/src/test/resources/golden/LmWeightsTest/): <name>.safetensors, the state dict;
<name>_expected.safetensors: inputs/ids [2, 7], outputs/logits [2, 7, vocab].

Run: /usr/bin/python3 tools/golden/interop_lm.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save

VOCAB, DIM, HEADS, LAYERS, MAX_POS, T = 41, 16, 4, 2, 12, 7
KV_HEADS, LLAMA_FFN, THETA, RMS_EPS = 2, 40, 10000.0, 1e-6


class Conv1D(nn.Module):
    """Hugging Face's GPT-2 Conv1D: y = x @ weight + bias, weight [in, out]."""

    def __init__(self, d_out, d_in):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_in, d_out))
        self.bias = nn.Parameter(torch.zeros(d_out))

    def forward(self, x):
        return x @ self.weight + self.bias


class Gpt2Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = Conv1D(3 * DIM, DIM)
        self.c_proj = Conv1D(DIM, DIM)
        self.register_buffer("bias", torch.tril(torch.ones(MAX_POS, MAX_POS)).view(1, 1, MAX_POS, MAX_POS))
        self.register_buffer("masked_bias", torch.tensor(-1e4))

    def forward(self, x):
        b, t, _ = x.shape
        hd = DIM // HEADS
        q, k, v = self.c_attn(x).split(DIM, dim=2)
        heads = lambda y: y.view(b, t, HEADS, hd).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        causal = self.bias[:, :, :t, :t].bool()
        scores = scores.masked_fill(~causal, torch.finfo(torch.float32).min)
        return self.c_proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, DIM))


class Gpt2Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = Conv1D(4 * DIM, DIM)
        self.c_proj = Conv1D(DIM, 4 * DIM)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Gpt2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(DIM, eps=1e-5)
        self.attn = Gpt2Attention()
        self.ln_2 = nn.LayerNorm(DIM, eps=1e-5)
        self.mlp = Gpt2Mlp()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, DIM)
        self.wpe = nn.Embedding(MAX_POS, DIM)
        self.h = nn.ModuleList([Gpt2Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(DIM, eps=1e-5)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class Gpt2LmHeadModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = Gpt2Model()
        self.lm_head = nn.Linear(DIM, VOCAB, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, ids):
        return self.lm_head(self.transformer(ids))


class RmsNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(DIM))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS))


class Rotary(nn.Module):
    def __init__(self, head_dim):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (THETA ** (torch.arange(0, head_dim, 2).float() / head_dim)))

    def forward(self, t):
        freqs = torch.outer(torch.arange(t).float(), self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = DIM // HEADS
        self.q_proj = nn.Linear(DIM, HEADS * self.hd, bias=False)
        self.k_proj = nn.Linear(DIM, KV_HEADS * self.hd, bias=False)
        self.v_proj = nn.Linear(DIM, KV_HEADS * self.hd, bias=False)
        self.o_proj = nn.Linear(HEADS * self.hd, DIM, bias=False)
        self.rotary_emb = Rotary(self.hd)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, HEADS, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, KV_HEADS, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, KV_HEADS, self.hd).transpose(1, 2)
        cos, sin = self.rotary_emb(t)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(HEADS // KV_HEADS, dim=1)  # Hugging Face's repeat_kv
        v = v.repeat_interleave(HEADS // KV_HEADS, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hd)
        causal = torch.ones(t, t).tril().bool()
        scores = scores.masked_fill(~causal, torch.finfo(torch.float32).min)
        return self.o_proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, DIM))


class LlamaMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_proj = nn.Linear(DIM, LLAMA_FFN, bias=False)
        self.up_proj = nn.Linear(DIM, LLAMA_FFN, bias=False)
        self.down_proj = nn.Linear(LLAMA_FFN, DIM, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_layernorm = RmsNorm()
        self.self_attn = LlamaAttention()
        self.post_attention_layernorm = RmsNorm()
        self.mlp = LlamaMlp()

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, DIM)
        self.layers = nn.ModuleList([LlamaLayer() for _ in range(LAYERS)])
        self.norm = RmsNorm()

    def forward(self, ids):
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class LlamaForCausalLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = LlamaModel()
        self.lm_head = nn.Linear(DIM, VOCAB, bias=False)

    def forward(self, ids):
        return self.lm_head(self.model(ids))


def write(name, model, seed):
    model.eval()
    g = generator(seed)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("norm.weight") or ".ln_" in pname or "ln_f" in pname:
                p.copy_(1.0 + randn(g, *p.shape, scale=0.2) if pname.endswith("weight") else randn(g, *p.shape, scale=0.2))
            else:
                p.copy_(randn(g, *p.shape, scale=0.4))
    ids = torch.randint(0, VOCAB, (2, T), generator=generator(seed + 1))
    with torch.no_grad():
        logits = model(ids)
    out = golden_dir("axlearn-text", "LmWeightsTest")
    save(f"{out}/{name}.safetensors", dict(model.state_dict()))
    save(f"{out}/{name}_expected.safetensors", {"inputs/ids": ids, "outputs/logits": logits},
         {"vocab": VOCAB, "dim": DIM, "heads": HEADS, "kv_heads": KV_HEADS, "layers": LAYERS,
          "max_pos": MAX_POS, "llama_ffn": LLAMA_FFN, "theta": THETA, "rms_eps": RMS_EPS})


if __name__ == "__main__":
    torch.manual_seed(0)
    write("gpt2", Gpt2LmHeadModel(), 21)
    write("llama", LlamaForCausalLm(), 31)
