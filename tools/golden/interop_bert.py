"""Goldens for the Hugging Face BERT name map (axlearn-text): BertWeightsTest.

A BERT written with torch.nn modules whose state_dict() names are exactly Hugging Face's
BertForPreTraining-style names (bert.embeddings..., bert.encoder.layer.{i}.attention.self.query,
bert.pooler.dense, cls.predictions..., plus a sequence-classification `classifier`), without the
`transformers` package. Random weights (seeded), dropout off.

Files (under axlearn-text/src/test/resources/golden/BertWeightsTest/):
  hf_bert.safetensors       the state dict in Hugging Face names and layouts (Linear [out, in]),
                            including the tied cls.predictions.decoder.{weight,bias} and the
                            embeddings.position_ids buffer, as a real model.safetensors holds them
  hf_bert_expected.safetensors
                            inputs/{ids,type_ids,mask}, outputs/hidden (last hidden state),
                            outputs/mlm_logits, outputs/class_logits

Run: /usr/bin/python3 tools/golden/interop_bert.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save

VOCAB, DIM, HEADS, FFN, LAYERS, MAX_POS, TYPES, CLASSES = 37, 16, 4, 48, 2, 12, 2, 3
EPS = 1e-12


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, DIM)
        self.position_embeddings = nn.Embedding(MAX_POS, DIM)
        self.token_type_embeddings = nn.Embedding(TYPES, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)
        self.register_buffer("position_ids", torch.arange(MAX_POS).expand((1, -1)))

    def forward(self, ids, types):
        pos = self.position_ids[:, : ids.shape[1]]
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos)
                              + self.token_type_embeddings(types))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(DIM, DIM), nn.Linear(DIM, DIM), nn.Linear(DIM, DIM)

    def forward(self, x, mask):
        b, t, _ = x.shape
        hd = DIM // HEADS
        heads = lambda y: y.view(b, t, HEADS, hd).transpose(1, 2)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        scores = scores + (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        return (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, DIM)


class DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, then LayerNorm of the residual sum."""

    def __init__(self, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, h, residual):
        return self.LayerNorm(residual + self.dense(h))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseNorm(DIM)

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(DIM, FFN)

    def forward(self, x):
        return F.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Intermediate()
        self.output = DenseNorm(FFN)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(DIM, DIM)

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()
        self.pooler = Pooler()

    def forward(self, ids, types, mask):
        h = self.encoder(self.embeddings(ids, types), mask)
        return h, self.pooler(h)


class Transform(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(DIM, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, h):
        return self.LayerNorm(F.gelu(self.dense(h)))


class Predictions(nn.Module):
    def __init__(self, word_embeddings):
        super().__init__()
        self.transform = Transform()
        self.decoder = nn.Linear(DIM, VOCAB)
        self.bias = nn.Parameter(torch.zeros(VOCAB))
        self.decoder.weight = word_embeddings.weight  # tied, as in Hugging Face
        self.decoder.bias = self.bias

    def forward(self, h):
        return self.decoder(self.transform(h))


class Heads(nn.Module):
    def __init__(self, word_embeddings):
        super().__init__()
        self.predictions = Predictions(word_embeddings)


class Model(nn.Module):
    """bert + cls (MLM head) + classifier: the union of BertForMaskedLM and
    BertForSequenceClassification names."""

    def __init__(self):
        super().__init__()
        self.bert = BertModel()
        self.cls = Heads(self.bert.embeddings.word_embeddings)
        self.classifier = nn.Linear(DIM, CLASSES)

    def forward(self, ids, types, mask):
        h, pooled = self.bert(ids, types, mask)
        return h, self.cls.predictions(h), self.classifier(pooled)


def main():
    torch.manual_seed(0)
    model = Model().eval()
    g = generator(12)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(randn(g, *p.shape, scale=0.5 if p.dim() > 1 else 0.2))
    ids = torch.randint(0, VOCAB, (2, 7), generator=generator(13))
    types = torch.tensor([[0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]])
    with torch.no_grad():
        hidden, mlm, cls = model(ids, types, mask)
    out = golden_dir("axlearn-text", "BertWeightsTest")
    state = {k: v for k, v in model.state_dict().items()}
    save(f"{out}/hf_bert.safetensors", state)
    save(f"{out}/hf_bert_expected.safetensors",
         {"inputs/ids": ids, "inputs/type_ids": types, "inputs/mask": mask,
          "outputs/hidden": hidden, "outputs/mlm_logits": mlm, "outputs/class_logits": cls},
         {"vocab": VOCAB, "dim": DIM, "heads": HEADS, "ffn": FFN, "layers": LAYERS,
          "max_pos": MAX_POS, "classes": CLASSES})


if __name__ == "__main__":
    main()
