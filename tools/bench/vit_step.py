"""The vision.fashion vit-tiny model and train step in PyTorch eager, for tools/bench/compare.

Mirrors `VisionTransformer.vit(28, 7, 128, 4, 4)` in an `ImageClassifier` (examples/.../
FashionExperiments): 1x28x28 images, 7x7 patch convolution (bias) to 16 tokens of d=128, a
class token (N(0, 0.02), no weight decay) first, learned position embeddings for the 17 tokens,
4 pre-LayerNorm blocks (eps 1e-6): LN -> separate q/k/v projections (bias) -> softmax attention,
4 heads, no mask -> output projection -> residual -> LN -> linear 128->512 -> exact GELU ->
linear 512->128 -> residual; output LayerNorm; the class token's vector to a linear head of 10
classes. Cross-entropy with label smoothing 0.1, AdamW (weight decay 0.05 on weights), global-norm
clipping at 5, batch 128, as the vit-tiny trainer.

    /usr/bin/python3 tools/bench/vit_step.py [--threads 2 --steps 30 --warmup 10 --batch 128]
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_step_common import PreNormBlock, adamw, bench, parse_args  # noqa: E402


class ViT(nn.Module):
    def __init__(self, image=28, patch=7, d=128, layers=4, heads=4, classes=10):
        super().__init__()
        tokens = (image // patch) ** 2 + 1
        self.patch_embed = nn.Conv2d(1, d, patch, patch)
        self.class_token = nn.Parameter(torch.randn(d) * 0.02)
        self.position_embedding = nn.Parameter(torch.randn(tokens, d) * 0.02)
        self.blocks = nn.ModuleList([PreNormBlock(d, heads, 4 * d) for _ in range(layers)])
        self.output_norm = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, classes)

    def forward(self, images):
        n, d = images.shape[0], self.class_token.shape[0]
        h = self.patch_embed(images).reshape(n, d, -1).transpose(1, 2)
        h = torch.cat([self.class_token.view(1, 1, d).expand(n, 1, d), h], dim=1)
        h = h + self.position_embedding
        for block in self.blocks:
            h = block(h)
        return self.head(self.output_norm(h)[:, 0])


def main():
    args = parse_args(__doc__, batch=128)
    torch.manual_seed(0)
    model = ViT()
    g = torch.Generator().manual_seed(1)
    images = torch.randn(8, args.batch, 1, 28, 28, generator=g)
    labels = torch.randint(0, 10, (8, args.batch), generator=g)

    def loss_fn(logits, targets):
        return F.cross_entropy(logits, targets, label_smoothing=0.1)

    bench("vit-tiny 1x28x28 p7 d128 L4 H4 B%d" % args.batch, model,
          lambda i: (images[i % 8], labels[i % 8]), loss_fn, args, adamw(model, 1e-3, 0.05), clip=5.0)


if __name__ == "__main__":
    main()
