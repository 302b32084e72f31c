"""Two sequence mixers written in PyTorch, scripted and saved for lra (`--model script:<file.pt>`).

Run with Debian's PyTorch (python3-torch, the same 1.13 as lra's libtorch):
    /usr/bin/python3 examples/mixers.py OUT_DIR [--d-model 64] [--heads 4] [--dropout 0.0]
writes OUT_DIR/softmax_attention.pt and OUT_DIR/gated_linear.pt; then for example
    build/lra train --task listops --model script:OUT_DIR/gated_linear.pt --profile cpu

The contract lra checks when it loads a file (docs/bring-your-own-mixer.md):
- forward(self, x: Tensor, key_mask: Tensor) -> Tensor: x is (B, N, D) float32, key_mask (B, N) bool,
  True at real tokens (padding is False; outputs at padded positions are ignored, but padded inputs must
  not change real outputs). Return (B, N, D) float32.
- @torch.jit.export reset_parameters(self): initialise every parameter. lra seeds torch and then calls it,
  once per layer, so that seeds mean the same thing as for lra's built-in models.
- D is fixed when you save the module: it must equal the run's model.d_model.
Everything else (embeddings, LayerNorms, FFN, residual dropout, pooling, classifier, optimiser) is lra's:
the module replaces the attention sublayer of a pre-LN Transformer block.
"""
import argparse
import math
import os

import torch
from torch import Tensor, nn


class SoftmaxAttention(nn.Module):
    """Multi-head softmax attention, the same computation as lra's `transformer` attention sublayer
    (fairseq's: q scaled by 1/sqrt(head dim) after its bias, padded keys masked, dropout on the
    probabilities, output projection)."""

    def __init__(self, d_model: int, heads: int, dropout: float = 0.0):
        super().__init__()
        assert d_model % heads == 0
        self.heads = heads
        self.dropout = dropout
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.reset_parameters()

    @torch.jit.export
    def reset_parameters(self):
        for proj in [self.q_proj, self.k_proj, self.v_proj]:
            nn.init.xavier_uniform_(proj.weight, gain=1.0 / math.sqrt(2.0))
            nn.init.zeros_(proj.bias)
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:
        b, n, d = x.shape
        e = d // self.heads
        q = (self.q_proj(x) * (1.0 / math.sqrt(e))).view(b, n, self.heads, e).transpose(1, 2)
        k = self.k_proj(x).view(b, n, self.heads, e).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.heads, e).transpose(1, 2)
        scores = q @ k.transpose(2, 3)                                   # (B, H, N, N)
        scores = scores.masked_fill(~key_mask[:, None, None, :], float("-inf"))
        p = torch.softmax(scores, dim=-1)
        p = nn.functional.dropout(p, self.dropout, self.training)
        return self.out_proj((p @ v).transpose(1, 2).reshape(b, n, d))


class GatedLinearMixer(nn.Module):
    """A linear-time mixer: each token reads the mean of the values before it and the mean of the values
    after it (prefix and suffix means over real tokens, by cumulative sums), mixed by a learned
    per-channel weight and gated by the token itself: y = W_o(sigmoid(W_g x) * (a * prefix + (1-a) * suffix))."""

    def __init__(self, d_model: int):
        super().__init__()
        self.gate = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.direction = nn.Parameter(torch.zeros(d_model))
        self.reset_parameters()

    @torch.jit.export
    def reset_parameters(self):
        for proj in [self.gate, self.value, self.out]:
            nn.init.xavier_uniform_(proj.weight)
            nn.init.zeros_(proj.bias)
        nn.init.normal_(self.direction, 0.0, 0.1)

    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:
        keep = key_mask.to(x.dtype).unsqueeze(-1)                        # (B, N, 1)
        v = self.value(x) * keep
        prefix = torch.cumsum(v, 1) / torch.cumsum(keep, 1).clamp(min=1.0)
        suffix = torch.flip(torch.cumsum(torch.flip(v, [1]), 1), [1]) / \
            torch.flip(torch.cumsum(torch.flip(keep, [1]), 1), [1]).clamp(min=1.0)
        a = torch.sigmoid(self.direction)
        return self.out(torch.sigmoid(self.gate(x)) * (a * prefix + (1 - a) * suffix))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--dropout", type=float, default=0.0, help="attention dropout of the softmax mixer")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name, module in [("softmax_attention", SoftmaxAttention(args.d_model, args.heads, args.dropout)),
                         ("gated_linear", GatedLinearMixer(args.d_model))]:
        path = os.path.join(args.out_dir, name + ".pt")
        torch.jit.save(torch.jit.script(module), path)
        print(path)


if __name__ == "__main__":
    main()
