"""An independent eager S4D classifier, for tests/test_s4d.cpp's parity check (run under Debian's
/usr/bin/python3 with python3-torch). Written from the S4D paper (Gu, Gupta, Goel & Re 2022,
arXiv 2206.11893, eq. (4)-(6): ZOH discretisation and the Vandermonde kernel) and the official
state-spaces/s4 code's layer (minimal s4d.py: D skip, GELU, Conv1d(H, 2H) + GLU) and bidirectional
kernel; not from lra's C++. It differs from lra on purpose where a difference can catch a bug:
float64 throughout, the kernel summed mode by mode with cos/sin instead of a complex einsum, and the
convolution as an explicit Toeplitz matrix product instead of an FFT.

usage: s4d_reference.py STATE_DICT.pt INPUTS.pt CONFIG.json OUT.json
  INPUTS.pt holds tokens (B,N) int64, mask (B,N) bool, logits (B,C) from lra.
  Writes {"max_abs_diff": ..., "perturbed_max_abs_diff": ...} (the second after adding 0.05 to the
  real part of the first layer's C of channel 0: the check must notice it).
"""
import json
import math
import sys

import torch


def kernel(sd, prefix, length):
    """(c, H, L): K[l] = 2 Re(sum_n C_n (exp(dt A_n) - 1) / A_n exp(dt A_n l))."""
    dt = sd[prefix + "log_dt"].exp()                      # (H)
    a_re = -sd[prefix + "log_A_real"].exp()               # (H, N2)
    a_im = sd[prefix + "A_imag"]                          # (H, N2)
    c_re, c_im = sd[prefix + "C"][..., 0], sd[prefix + "C"][..., 1]  # (c, H, N2)
    # (exp(dt A) - 1) / A with complex arithmetic written out: e = exp(dt a_re) (cos + i sin)(dt a_im)
    e_re = torch.exp(dt[:, None] * a_re) * torch.cos(dt[:, None] * a_im)
    e_im = torch.exp(dt[:, None] * a_re) * torch.sin(dt[:, None] * a_im)
    den = a_re ** 2 + a_im ** 2
    zoh_re = ((e_re - 1) * a_re + e_im * a_im) / den
    zoh_im = (e_im * a_re - (e_re - 1) * a_im) / den
    cd_re = c_re * zoh_re - c_im * zoh_im
    cd_im = c_re * zoh_im + c_im * zoh_re
    out = torch.zeros(c_re.shape[0], dt.shape[0], length, dtype=torch.float64)
    steps = torch.arange(length, dtype=torch.float64)
    for n in range(a_re.shape[1]):
        mag = torch.exp(dt[:, None] * a_re[:, n:n + 1] * steps)    # (H, L)
        ang = dt[:, None] * a_im[:, n:n + 1] * steps
        z_re, z_im = mag * torch.cos(ang), mag * torch.sin(ang)
        out += 2 * (cd_re[:, :, n:n + 1] * z_re - cd_im[:, :, n:n + 1] * z_im)
    return out


def convolve(u, k):
    """u (B, L, H), k (c, H, L): y[t] = sum_{s<=t} k0[t-s] u[s] + sum_{s>t} k1[s-t-1] u[s]."""
    length = u.shape[1]
    t = torch.arange(length)
    lag = t[:, None] - t[None, :]                                 # (L, L): t - s
    causal = k[0][:, lag.clamp(min=0)] * (lag >= 0)               # (H, L, L)
    toeplitz = causal
    if k.shape[0] == 2:
        toeplitz = toeplitz + k[1][:, (-lag - 1).clamp(min=0)] * (lag < 0)
    return torch.einsum("hts,bsh->bth", toeplitz, u)


def layer_norm(x, sd, prefix):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], sd[prefix + "weight"], sd[prefix + "bias"], 1e-5)


def logits(sd, tokens, mask, cfg):
    keep = mask[..., None].double()
    x = sd["encoder.embed_tokens.weight"][tokens]                 # (B, N, H); no position table
    if "encoder.emb_layer_norm.weight" in sd:
        x = layer_norm(x, sd, "encoder.emb_layer_norm.")
    x = x * keep
    for i in range(cfg["layers"]):
        p = "encoder.blocks.%d." % i
        z = layer_norm(x, sd, p + "norm.") if cfg["pre_norm"] else x
        z = z * keep
        y = convolve(z, kernel(sd, p + "layer.kernel.", z.shape[1])) + z * sd[p + "layer.D"]
        y = 0.5 * y * (1 + torch.erf(y / math.sqrt(2)))            # GELU
        y = y @ sd[p + "layer.output_linear.weight"].T + sd[p + "layer.output_linear.bias"]
        a, g = y.chunk(2, dim=-1)
        x = x + a * torch.sigmoid(g)                               # GLU, residual
        if not cfg["pre_norm"]:
            x = layer_norm(x, sd, p + "norm.")
    if "encoder.final_layer_norm.weight" in sd:
        x = layer_norm(x, sd, "encoder.final_layer_norm.")
    if cfg["pooling"] == "cls":
        pooled = x[:, 0]
    else:
        pooled = (x * keep).sum(1) / keep.sum(1)
    h = torch.relu(pooled @ sd["head.dense.weight"].T + sd["head.dense.bias"])
    return h @ sd["head.out_proj.weight"].T


def main():
    sd = {k: v.double() for k, v in torch.load(sys.argv[1]).items()}
    inputs = torch.load(sys.argv[2])
    cfg = json.load(open(sys.argv[3]))
    tokens, mask, expected = inputs["tokens"], inputs["mask"].bool(), inputs["logits"].double()
    diff = (logits(sd, tokens, mask, cfg) - expected).abs().max().item()
    sd["encoder.blocks.0.layer.kernel.C"][0, 0, :, 0] += 0.05
    perturbed = (logits(sd, tokens, mask, cfg) - expected).abs().max().item()
    json.dump({"max_abs_diff": diff, "perturbed_max_abs_diff": perturbed}, open(sys.argv[4], "w"))


if __name__ == "__main__":
    main()
