"""An independent eager Mega classifier, for tests/test_mega.cpp's parity check (run under Debian's
/usr/bin/python3 with python3-torch). Written from the Mega paper (Ma et al., ICLR 2023, arXiv
2209.10655: eq. (2)-(3) the damped EMA, eq. (4)-(12) the gated attention, Section 3.5 chunking) and the
official facebookresearch/mega LRA encoder (MovingAverageGatedAttention, NormalizedFeedForwardNetwork,
SequenceNorm, SimpleRelativePositionalBias, mean pooling, the LRA head); not from lra's C++. It differs
from lra on purpose where a difference can catch a bug: float64 throughout; the EMA run as the
recurrence h_t = alpha beta x_t + (1 - alpha delta) h_{t-1}, step by step in both directions (or, with a
truncation, as an explicit sum over lags) instead of an FFT; the relative position bias built the
official way (pad, tile, view, slice) instead of by an index formula; attention chunk by chunk in a loop.

usage: mega_reference.py STATE_DICT.pt INPUTS.pt CONFIG.json OUT.json
  INPUTS.pt holds tokens (B,N) int64, mask (B,N) bool, logits (B,C) from lra.
  CONFIG.json: layers, pre_norm, norm_type, z_dim, hidden_dim, n_dim, chunk_size, truncation,
  attention_function, bidirectional, max_len.
  Writes {"max_abs_diff": ..., "perturbed_max_abs_diff": ...} (the second after adding 0.5 to the
  first layer's EMA output weights gamma of channel 0: the check must notice it).
"""
import json
import math
import sys

import torch

EPS = 1e-5


def silu(x):
    return x * torch.sigmoid(x)


def norm(x, sd, prefix, kind):
    if kind == "layernorm":
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + EPS) * sd[prefix + "weight"] + sd[prefix + "bias"]
    if kind == "scalenorm":
        return x * sd[prefix + "scalar"] / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS)
    assert kind == "batchnorm"  # eval mode: the running statistics
    return (x - sd[prefix + "running_mean"]) / torch.sqrt(sd[prefix + "running_var"] + EPS) * sd[prefix + "weight"] \
        + sd[prefix + "bias"]


def ema(x, sd, prefix, cfg):
    """x (B, L, D), already zero at padded positions -> the EMA output before omega and silu."""
    b, length, d = x.shape
    p = torch.sigmoid(sd[prefix + "delta"])[..., 0]             # (cD, J)
    a = torch.sigmoid(sd[prefix + "alpha"])[..., 0]
    q = 1 - p * a
    inp = p * sd[prefix + "beta"][..., 0]                       # weight of x_t in h_t
    out_w = sd[prefix + "gamma"] * math.sqrt(1.0 / cfg["n_dim"])
    sets = 2 if cfg["bidirectional"] else 1
    y = torch.zeros(b, length, d, dtype=torch.float64)
    for s in range(sets):
        rows = slice(s * d, (s + 1) * d)
        order = range(length) if s == 0 else range(length - 1, -1, -1)
        if cfg["truncation"] > 0:   # y_t = sum over lags l < truncation of K[l] x_{t -+ l}
            for t in order:
                for lag in range(min(cfg["truncation"], length)):
                    src = t - lag if s == 0 else t + lag
                    if 0 <= src < length:
                        k = (out_w[rows] * inp[rows] * q[rows] ** lag).sum(-1)   # (D)
                        y[:, t] += k * x[:, src]
            continue
        h = torch.zeros(b, d, p.shape[1], dtype=torch.float64)
        for t in order:
            h = inp[rows] * x[:, t, :, None] + q[rows] * h
            y[:, t] += (h * out_w[rows]).sum(-1)
    return y


def position_bias(table, length):
    """The official construction: take the 2L-1 entries around the centre, pad L zeros, tile L times,
    drop the last L, view as L x (3L-2) and keep the middle L columns."""
    m = (table.shape[0] + 1) // 2
    b = table[m - length:m + length - 1]
    t = torch.cat([b, torch.zeros(length, dtype=table.dtype)]).repeat(length)[:-length]
    t = t.view(length, 3 * length - 2)
    r = (2 * length - 1) // 2
    return t[:, r:t.shape[1] - r]


def attention(q, k, v, keep, table, cfg):
    b, length, _ = q.shape
    c = length
    if cfg["chunk_size"] > 0 and length > cfg["chunk_size"]:
        c = cfg["chunk_size"]
    padded = (length + c - 1) // c * c
    pad = padded - length
    if pad:
        q, k, v = (torch.cat([t, torch.zeros(b, pad, t.shape[2], dtype=t.dtype)], 1) for t in (q, k, v))
        keep = torch.cat([keep, torch.zeros(b, pad, dtype=keep.dtype)], 1)
    bias = position_bias(table, c)
    out = torch.zeros(b, padded, v.shape[2], dtype=torch.float64)
    for start in range(0, padded, c):
        sl = slice(start, start + c)
        qc, kc, vc, kk = q[:, sl], k[:, sl], v[:, sl], keep[:, sl]        # (B, C, .), (B, C)
        if cfg["attention_function"] == "softmax":
            s = qc @ kc.transpose(1, 2) / math.sqrt(cfg["z_dim"]) + bias
            for i in range(b):
                if kk[i].any():
                    s[i][:, ~kk[i]] = -math.inf
            w = torch.softmax(s, -1)
        else:
            n = kk.double().sum(-1).clamp(min=1.0)[:, None, None]
            s = qc @ kc.transpose(1, 2) / n + bias
            mu, sigma = math.sqrt(0.5), math.sqrt(1.0 / (4 * math.pi))
            w = 0.5 * (1 + torch.erf((s - mu) / (sigma * math.sqrt(2)))) * kk.double()[:, None, :]
        out[:, sl] = w @ vc
    return out[:, :length]


def mega_layer(x, keep, sd, p, cfg):
    d, z, e = x.shape[-1], cfg["z_dim"], cfg["hidden_dim"]
    residual = x
    xn = norm(x, sd, p + "norm.", cfg["norm_type"]) if cfg["pre_norm"] else x
    v = silu(xn @ sd[p + "v_proj.weight"].T + sd[p + "v_proj.bias"])
    m = silu(ema(xn * keep[..., None].double(), sd, p + "move.", cfg) + xn * sd[p + "move.omega"])
    base = m @ sd[p + "mx_proj.weight"].T + sd[p + "mx_proj.bias"]
    u = torch.sigmoid(base[..., :d])
    zr = silu(base[..., d:d + z + e])
    hx = base[..., d + z + e:]
    zz, r = zr[..., :z], zr[..., z:]
    q = zz * sd[p + "gamma"][0] + sd[p + "beta"][0]
    k = zz * sd[p + "gamma"][1] + sd[p + "beta"][1]
    h = attention(q, k, v, keep, sd[p + "rel_pos_bias"], cfg)
    h = silu(hx + (h * r) @ sd[p + "h_proj.weight"].T + sd[p + "h_proj.bias"])
    out = residual + u * (h - residual)
    return out if cfg["pre_norm"] else norm(out, sd, p + "norm.", cfg["norm_type"])


def ffn(x, sd, p, cfg):
    y = norm(x, sd, p + "norm.", cfg["norm_type"]) if cfg["pre_norm"] else x
    y = silu(y @ sd[p + "fc1.weight"].T + sd[p + "fc1.bias"]) @ sd[p + "fc2.weight"].T + sd[p + "fc2.bias"]
    y = y + x
    return y if cfg["pre_norm"] else norm(y, sd, p + "norm.", cfg["norm_type"])


def logits(sd, tokens, mask, cfg):
    keep = mask.double()[..., None]
    x = sd["encoder.embed_tokens.weight"][tokens] * keep            # no position table; zero at pads
    for i in range(cfg["layers"]):
        p = "encoder.blocks.%d." % i
        x = mega_layer(x, mask, sd, p + "mega_layer.", cfg)
        x = ffn(x, sd, p + "nffn.", cfg)
    if cfg["pre_norm"]:
        x = norm(x, sd, "encoder.final_layer_norm.", cfg["norm_type"])
    pooled = (x * keep).sum(1) / keep.sum(1)                        # mean over real tokens
    h = pooled @ sd["head.dense.weight"].T + sd["head.dense.bias"]
    h = 0.5 * h * (1 + torch.erf(h / math.sqrt(2)))                 # GELU
    return h @ sd["head.out_proj.weight"].T


def main():
    sd = {k: (v.double() if v.is_floating_point() else v) for k, v in torch.load(sys.argv[1]).items()}
    inputs = torch.load(sys.argv[2])
    cfg = json.load(open(sys.argv[3]))
    tokens, mask, expected = inputs["tokens"], inputs["mask"].bool(), inputs["logits"].double()
    with torch.no_grad():
        diff = (logits(sd, tokens, mask, cfg) - expected).abs().max().item()
        sd["encoder.blocks.0.mega_layer.move.gamma"][0, :] += 0.5
        perturbed = (logits(sd, tokens, mask, cfg) - expected).abs().max().item()
    json.dump({"max_abs_diff": diff, "perturbed_max_abs_diff": perturbed}, open(sys.argv[4], "w"))


if __name__ == "__main__":
    main()
