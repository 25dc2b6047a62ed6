"""Goldens for axlearn-multimodal: ClipModelTest.

A small CLIP written here with torch.nn modules: a ViT image tower (conv patch embedding, class
token, learned positions, pre-norm layers with nn.MultiheadAttention and an exact-GELU MLP, final
LayerNorm, class-token output), a BERT-style text tower (word + learned position embeddings,
LayerNorm, post-norm layers with an additive padding mask on the keys, exact GELU; no token types),
its outputs averaged over the real tokens, linear projections without bias to a shared space,
L2 normalisation, the logit scale exp(min(t, log 100)) and the symmetric contrastive loss (the mean
of the two directions' weighted mean cross-entropies; a pair of weight 0 is pushed out of every
softmax with -1e9 on its column).

Cases (params in axlearn-jvm's paths and layouts: Linear weight [in, out], norm scale/bias):
  clip          images [4, 3, 8, 8], text ids/mask [4, 6] (ragged), weights [1, 1, 1, 0]:
                outputs/y (the loss), outputs/logits [4, 4], outputs/scale, grads of y * dy
                for every parameter; each tower's own forward: outputs/image_features [4, 16]
                (the ViT's normed class token), outputs/text_hidden [4, 6, 12] (the text
                encoder's last layer, every position), and the normalised projections
                outputs/image_embeddings, outputs/text_embeddings [4, 10]
  clip_clamped  the same with log_logit_scale = log(200): the scale is clamped to 100, and the
                gradient of log_logit_scale is 0

Run: /usr/bin/python3 tools/golden/multimodal_clip.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from golden_common import generator, golden_dir, randn, save

IMG, PATCH, CH, IDIM, IHEADS, ILAYERS, IHIDDEN = 8, 4, 3, 16, 2, 1, 32
VOCAB, TDIM, THEADS, TLAYERS, THIDDEN, MAX_POS = 29, 12, 3, 1, 24, 8
EMBED, N, L = 10, 4, 6
IMG_EPS, TXT_EPS = 1e-6, 1e-12
MAX_SCALE = 100.0


class VitLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(IDIM, eps=IMG_EPS)
        self.attn = nn.MultiheadAttention(IDIM, IHEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(IDIM, eps=IMG_EPS)
        self.fc1 = nn.Linear(IDIM, IHIDDEN)
        self.fc2 = nn.Linear(IHIDDEN, IDIM)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TextLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(TDIM, TDIM)
        self.key = nn.Linear(TDIM, TDIM)
        self.value = nn.Linear(TDIM, TDIM)
        self.dense = nn.Linear(TDIM, TDIM)
        self.ln1 = nn.LayerNorm(TDIM, eps=TXT_EPS)
        self.fc1 = nn.Linear(TDIM, THIDDEN)
        self.fc2 = nn.Linear(THIDDEN, TDIM)
        self.ln2 = nn.LayerNorm(TDIM, eps=TXT_EPS)

    def forward(self, x, mask):
        b, t, _ = x.shape
        hd = TDIM // THEADS

        def heads(y):
            return y.view(b, t, THEADS, hd).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        scores = scores + (1.0 - mask[:, None, None, :].float()) * -1e9
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, TDIM)
        a = self.ln1(x + self.dense(ctx))
        return self.ln2(a + self.fc2(F.gelu(self.fc1(a))))


class Clip(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(CH, IDIM, PATCH, PATCH)
        self.cls = nn.Parameter(torch.zeros(IDIM))
        self.ipos = nn.Parameter(torch.zeros((IMG // PATCH) ** 2 + 1, IDIM))
        self.ilayers = nn.ModuleList([VitLayer() for _ in range(ILAYERS)])
        self.iln = nn.LayerNorm(IDIM, eps=IMG_EPS)
        self.words = nn.Embedding(VOCAB, TDIM)
        self.tpos = nn.Embedding(MAX_POS, TDIM)
        self.tln = nn.LayerNorm(TDIM, eps=TXT_EPS)
        self.tlayers = nn.ModuleList([TextLayer() for _ in range(TLAYERS)])
        self.iproj = nn.Parameter(torch.zeros(IDIM, EMBED))
        self.tproj = nn.Parameter(torch.zeros(TDIM, EMBED))
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def image_features(self, x):
        h = self.patch(x).flatten(2).transpose(1, 2)
        h = torch.cat([self.cls.expand(h.shape[0], 1, IDIM), h], 1) + self.ipos[None]
        for layer in self.ilayers:
            h = layer(h)
        return self.iln(h)[:, 0]

    def image(self, x):
        return F.normalize(self.image_features(x) @ self.iproj, dim=-1)

    def text_hidden(self, ids, mask):
        h = self.tln(self.words(ids) + self.tpos(torch.arange(ids.shape[1]))[None])
        for layer in self.tlayers:
            h = layer(h, mask)
        return h

    def text(self, ids, mask):
        h = self.text_hidden(ids, mask)
        m = mask.float()[..., None]
        pooled = (h * m).sum(1) / m.sum(1)
        return F.normalize(pooled @ self.tproj, dim=-1)

    def forward(self, x, ids, mask, w):
        scale = self.log_scale.clamp(max=math.log(MAX_SCALE)).exp()
        logits = scale * self.image(x) @ self.text(ids, mask).t()
        blocked = ((1 - w) * -1e9)[None, :]
        targets = torch.arange(x.shape[0])

        def ce(z):
            per = F.cross_entropy(z + blocked, targets, reduction="none")
            return (per * w).sum() / w.sum()

        return (ce(logits) + ce(logits.t())) / 2, logits, scale


def randomise(module, g):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name == "log_scale":
                continue
            if p.dim() == 1 and name.endswith("weight"):
                p.copy_(1 + randn(g, *p.shape, scale=0.1))
            else:
                p.copy_(randn(g, *p.shape, scale=0.3))


def param_map(model):
    """our path -> (value in our layout, torch parameter, torch grad -> our layout)."""
    out = {}

    def put(path, value, param, grad=lambda gr: gr):
        out[path] = (value, param, grad)

    def linear(path, lin):
        put(path + "/weight", lin.weight.t(), lin.weight, lambda gr: gr.t())
        put(path + "/bias", lin.bias, lin.bias)

    def norm(path, ln):
        put(path + "/scale", ln.weight, ln.weight)
        put(path + "/bias", ln.bias, ln.bias)

    im = "image_encoder/"
    put(im + "patch_embed/weight", model.patch.weight, model.patch.weight)
    put(im + "patch_embed/bias", model.patch.bias, model.patch.bias)
    put(im + "class_token", model.cls, model.cls)
    put(im + "position_embedding/weight", model.ipos, model.ipos)
    for i, layer in enumerate(model.ilayers):
        pre = f"{im}encoder/layer{i}/"
        norm(pre + "attention_norm", layer.ln1)
        w, b = layer.attn.in_proj_weight, layer.attn.in_proj_bias
        for k, name in enumerate(["q_proj", "k_proj", "v_proj"]):
            rows = slice(k * IDIM, (k + 1) * IDIM)
            put(f"{pre}self_attention/{name}/weight", w[rows].t(), w, lambda gr, r=rows: gr[r].t())
            put(f"{pre}self_attention/{name}/bias", b[rows], b, lambda gr, r=rows: gr[r])
        linear(pre + "self_attention/o_proj", layer.attn.out_proj)
        norm(pre + "feed_forward_norm", layer.ln2)
        linear(pre + "feed_forward/linear1", layer.fc1)
        linear(pre + "feed_forward/linear2", layer.fc2)
    norm(im + "output_norm", model.iln)
    tx = "text_encoder/"
    put(tx + "token_embedding/weight", model.words.weight, model.words.weight)
    put(tx + "position_embedding/weight", model.tpos.weight, model.tpos.weight)
    norm(tx + "embedding_norm", model.tln)
    for i, layer in enumerate(model.tlayers):
        pre = f"{tx}encoder/layer{i}/"
        linear(pre + "self_attention/q_proj", layer.query)
        linear(pre + "self_attention/k_proj", layer.key)
        linear(pre + "self_attention/v_proj", layer.value)
        linear(pre + "self_attention/o_proj", layer.dense)
        norm(pre + "attention_norm", layer.ln1)
        linear(pre + "feed_forward/linear1", layer.fc1)
        linear(pre + "feed_forward/linear2", layer.fc2)
        norm(pre + "feed_forward_norm", layer.ln2)
    put("image_projection/weight", model.iproj, model.iproj)
    put("text_projection/weight", model.tproj, model.tproj)
    put("log_logit_scale", model.log_scale, model.log_scale)
    return out


def case(name, log_scale):
    torch.manual_seed(0)
    model = Clip()
    g = generator(41)
    randomise(model, g)
    with torch.no_grad():
        model.log_scale.fill_(log_scale)
    x = randn(g, N, CH, IMG, IMG)
    ids = torch.randint(1, VOCAB, (N, L), generator=g)
    lengths = torch.tensor([6, 3, 5, 2])
    mask = (torch.arange(L)[None, :] < lengths[:, None]).to(torch.int32)
    ids = ids * mask
    w = torch.tensor([1.0, 1.0, 1.0, 0.0])
    loss, logits, scale = model(x, ids, mask, w)
    dy = randn(generator(99), 1).reshape(())
    (loss * dy).sum().backward()
    tensors = {"inputs/x": x, "inputs/ids": ids.to(torch.int32), "inputs/mask": mask,
               "inputs/weight": w, "inputs/dy": dy, "outputs/y": loss, "outputs/logits": logits,
               "outputs/scale": scale}
    with torch.no_grad():
        tensors["outputs/image_features"] = model.image_features(x)
        tensors["outputs/text_hidden"] = model.text_hidden(ids, mask)
        tensors["outputs/image_embeddings"] = model.image(x)
        tensors["outputs/text_embeddings"] = model.text(ids, mask)
    for path, (value, param, grad) in param_map(model).items():
        tensors["params/" + path] = value.detach().clone()
        gr = param.grad if param.grad is not None else torch.zeros_like(param)
        tensors["grads/" + path] = grad(gr).detach().clone()
    save(f"{golden_dir('axlearn-multimodal', 'ClipModelTest')}/{name}.safetensors", tensors,
         {"imageSize": IMG, "patchSize": PATCH, "channels": CH, "imageDim": IDIM,
          "imageHeads": IHEADS, "imageLayers": ILAYERS, "imageHidden": IHIDDEN, "vocabSize": VOCAB,
          "textDim": TDIM, "textHeads": THEADS, "textLayers": TLAYERS, "textHidden": THIDDEN,
          "maxPositions": MAX_POS, "embedDim": EMBED})


if __name__ == "__main__":
    case("clip", math.log(1 / 0.07))
    case("clip_clamped", math.log(200.0))
