"""Goldens for BERT (axlearn-text): BertTest.

BERT written here with torch.nn modules, following the structure of Hugging Face's BertModel
(module for module, without the `transformers` package): embeddings (word + position + token type,
LayerNorm, dropout), post-norm layers (self-attention with query/key/value/output dense layers and
an additive padding mask, then intermediate dense + exact GELU, output dense), the masked-LM head
(dense + GELU + LayerNorm, decoder tied to the word embeddings, plus a bias), the pooler (dense +
tanh on [CLS]) and a sequence-classification layer. Dropout is off (evaluation).

Cases (tensors in axlearn-jvm's paths and layouts: Linear weight [in, out], norm scale/bias):
  encoder_layer    one layer on x [2, 6, DIM] with a padding mask: outputs/y, grads of sum(y * dy)
                   for every parameter and x (paths relative to TransformerLayer)
  tiny_mlm         the full tiny BertMlm on ids/type_ids/input_mask: outputs/hidden (final hidden
                   states), outputs/y (MLM logits), grads of sum(y * dy), and outputs/loss (mean
                   cross-entropy over the positions of inputs/target_weights)
  tiny_classifier  BertClassifier on the same encoder weights: outputs/y (class logits), grads

Run: /usr/bin/python3 tools/golden/text_bert.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save

VOCAB, DIM, HEADS, FFN, LAYERS, MAX_POS, TYPES, CLASSES = 37, 16, 4, 64, 2, 12, 2, 3
EPS = 1e-12


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(DIM, DIM)
        self.key = nn.Linear(DIM, DIM)
        self.value = nn.Linear(DIM, DIM)
        self.dense = nn.Linear(DIM, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, x, mask):
        b, t, _ = x.shape
        hd = DIM // HEADS

        def heads(y):
            return y.view(b, t, HEADS, hd).transpose(1, 2)  # [B, N, T, H]

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)  # [B, N, T, S]
        # Hugging Face's extended attention mask: (1 - mask) * finfo.min over the keys.
        scores = scores + (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        probs = scores.softmax(-1)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, DIM)
        return self.LayerNorm(x + self.dense(ctx))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = SelfAttention()
        self.intermediate = nn.Linear(DIM, FFN)
        self.output = nn.Linear(FFN, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.LayerNorm(a + self.output(F.gelu(self.intermediate(a))))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, DIM)
        self.position_embeddings = nn.Embedding(MAX_POS, DIM)
        self.token_type_embeddings = nn.Embedding(TYPES, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        # Masked-LM head (cls.predictions).
        self.transform = nn.Linear(DIM, DIM)
        self.transform_LayerNorm = nn.LayerNorm(DIM, eps=EPS)
        self.mlm_bias = nn.Parameter(torch.zeros(VOCAB))
        # Pooler and classifier.
        self.pooler = nn.Linear(DIM, DIM)
        self.classifier = nn.Linear(DIM, CLASSES)

    def hidden(self, ids, types, mask):
        t = ids.shape[1]
        h = self.word_embeddings(ids) + self.position_embeddings(torch.arange(t))[None]
        h = self.LayerNorm(h + self.token_type_embeddings(types))
        for layer in self.layers:
            h = layer(h, mask)
        return h

    def mlm_logits(self, h):
        h = self.transform_LayerNorm(F.gelu(self.transform(h)))
        return h @ self.word_embeddings.weight.t() + self.mlm_bias

    def class_logits(self, h):
        return self.classifier(torch.tanh(self.pooler(h[:, 0])))


def randomise(module, g):
    """Non-trivial values everywhere (norm scales near 1, biases non-zero)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + randn(g, *p.shape, scale=0.1))
            else:
                p.copy_(randn(g, *p.shape, scale=0.3))


def layer_map(pre, layer):
    """(our path -> (tensor in our layout, torch parameter, torch grad -> our layout))."""
    out = {}

    def linear(path, lin):
        out[pre + path + "/weight"] = (lin.weight.t(), lin.weight, lambda g: g.t())
        out[pre + path + "/bias"] = (lin.bias, lin.bias, lambda g: g)

    def norm(path, ln):
        out[pre + path + "/scale"] = (ln.weight, ln.weight, lambda g: g)
        out[pre + path + "/bias"] = (ln.bias, ln.bias, lambda g: g)

    a = layer.attention
    linear("self_attention/q_proj", a.query)
    linear("self_attention/k_proj", a.key)
    linear("self_attention/v_proj", a.value)
    linear("self_attention/o_proj", a.dense)
    norm("attention_norm", a.LayerNorm)
    linear("feed_forward/linear1", layer.intermediate)
    linear("feed_forward/linear2", layer.output)
    norm("feed_forward_norm", layer.LayerNorm)
    return out


def ident(p):
    return (p, p, lambda g: g)


def encoder_map(model):
    out = {
        "bert/token_embedding/weight": ident(model.word_embeddings.weight),
        "bert/position_embedding/weight": ident(model.position_embeddings.weight),
        "bert/type_embedding/weight": ident(model.token_type_embeddings.weight),
        "bert/embedding_norm/scale": ident(model.LayerNorm.weight),
        "bert/embedding_norm/bias": ident(model.LayerNorm.bias),
    }
    for i, layer in enumerate(model.layers):
        out.update(layer_map(f"bert/encoder/layer{i}/", layer))
    return out


def linear_map(path, lin):
    return {path + "/weight": (lin.weight.t(), lin.weight, lambda g: g.t()),
            path + "/bias": ident(lin.bias)}


def record(tensors, mapping, y, dy):
    for p, (_, param, _) in mapping.items():
        param.grad = None
    (y * dy).sum().backward(retain_graph=True)
    for path, (value, param, grad_of) in mapping.items():
        tensors["params/" + path] = value.detach().clone()
        g = param.grad if param.grad is not None else torch.zeros_like(param)
        tensors["grads/" + path] = grad_of(g).detach().clone()


META = {"vocabSize": VOCAB, "dim": DIM, "numHeads": HEADS, "hiddenDim": FFN, "numLayers": LAYERS,
        "maxPositions": MAX_POS, "typeVocabSize": TYPES, "numClasses": CLASSES, "eps": EPS}
out_dir = golden_dir("axlearn-text", "BertTest")

# One encoder layer.
torch.manual_seed(0)
layer = Layer()
randomise(layer, generator(11))
x = randn(generator(12), 2, 6, DIM).requires_grad_(True)
mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], dtype=torch.int64)
y = layer(x, mask)
dy = randn(generator(13), *y.shape)
tensors = {"inputs/x": x.detach().clone(), "inputs/mask": mask, "inputs/dy": dy, "outputs/y": y}
mapping = layer_map("", layer)
record(tensors, mapping, y, dy)
tensors["grads/x"] = x.grad.detach().clone()
save(f"{out_dir}/encoder_layer.safetensors", tensors, META)

# The full tiny model.
torch.manual_seed(0)
model = Bert()
randomise(model, generator(21))
g = generator(22)
ids = torch.randint(0, VOCAB, (2, 7), generator=g)
types = torch.tensor([[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0]], dtype=torch.int64)
mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]], dtype=torch.int64)
targets = torch.randint(0, VOCAB, (2, 7), generator=g)
target_weights = torch.tensor([[0, 1, 0, 0, 1, 0, 1], [1, 0, 0, 1, 0, 0, 0]], dtype=torch.float32)
hidden = model.hidden(ids, types, mask)
logits = model.mlm_logits(hidden)
selected = target_weights.bool()
loss = F.cross_entropy(logits[selected], targets[selected])
dy = randn(generator(23), *logits.shape)
inputs = {"inputs/ids": ids, "inputs/type_ids": types, "inputs/input_mask": mask,
          "inputs/targets": targets, "inputs/target_weights": target_weights}
tensors = dict(inputs, **{"inputs/dy": dy, "outputs/y": logits, "outputs/hidden": hidden,
                          "outputs/loss": loss.reshape(())})
mapping = encoder_map(model)
mapping.update(linear_map("mlm_head/transform", model.transform))
mapping["mlm_head/transform_norm/scale"] = ident(model.transform_LayerNorm.weight)
mapping["mlm_head/transform_norm/bias"] = ident(model.transform_LayerNorm.bias)
mapping["mlm_head/output_bias"] = ident(model.mlm_bias)
record(tensors, mapping, logits, dy)
save(f"{out_dir}/tiny_mlm.safetensors", tensors, META)

# The classifier on the same encoder.
class_logits = model.class_logits(hidden)
dy = randn(generator(24), *class_logits.shape)
tensors = dict(inputs, **{"inputs/dy": dy, "outputs/y": class_logits})
mapping = encoder_map(model)
mapping.update(linear_map("pooler/dense", model.pooler))
mapping.update(linear_map("classifier", model.classifier))
record(tensors, mapping, class_logits, dy)
save(f"{out_dir}/tiny_classifier.safetensors", tensors, META)
