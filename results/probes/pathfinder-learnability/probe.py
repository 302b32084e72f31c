#!/usr/bin/python3
"""Is the cpu profile's Pathfinder learnable at all in a few thousand updates, and by which model?

A control for the probes behind configs/profiles/cpu.json: the same generated images, trained with a
small CNN (strong locality prior) and with a 1-layer Transformer like lra's cpu-profile model (learned
or fixed 2-D sinusoidal positions). Debian's PyTorch and Pillow only (/usr/bin/python3; apt install
python3-torch python3-pil); this is a diagnostic, not part of lra.

  probe.py --root DATA/pathfinder32/curv_baseline --model cnn --pool 2 --steps 3000
"""
import argparse, math, os, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--root", required=True, help="a difficulty folder: metadata/*.npy and imgs/")
ap.add_argument("--n", type=int, default=20000, help="images read, in metadata order")
ap.add_argument("--model", choices=["cnn", "transformer"], default="cnn")
ap.add_argument("--pos", choices=["learned", "sin2d"], default="learned", help="transformer positions")
ap.add_argument("--pool", type=int, default=2, help="mean-pool factor (2: 32x32 -> 16x16, as the cpu profile)")
ap.add_argument("--steps", type=int, default=3000)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
torch.set_num_threads(1)
torch.manual_seed(a.seed)


def load(root, limit):
    images, labels = [], []
    for name in sorted(os.listdir(os.path.join(root, "metadata")), key=lambda s: int(s.split(".")[0])):
        for line in open(os.path.join(root, "metadata", name)):
            f = line.split()  # folder file index label ...
            images.append(np.asarray(Image.open(os.path.join(root, f[0], f[1])).convert("L"), dtype=np.int64))
            labels.append(int(f[3]))
            if len(images) == limit:
                return np.stack(images), np.array(labels)
    return np.stack(images), np.array(labels)


x, y = load(a.root, a.n)
x = torch.tensor(x, dtype=torch.float32)
if a.pool > 1:
    x = F.avg_pool2d(x[:, None], a.pool)[:, 0]
x, y = x.round().long(), torch.tensor(y)  # (B,S,S) gray levels, as lra's tokens minus 1
side = x.shape[1]
n_train, n_val = len(x) * 8 // 10, len(x) // 10
x_train, y_train = x[:n_train], y[:n_train]
x_val, y_val = x[n_train:n_train + n_val], y[n_train:n_train + n_val]


def sinusoid_2d(side, d):  # (side*side, d): row in the first half of the channels, column in the second
    q = d // 4
    freq = torch.exp(-math.log(100.0) * torch.arange(q) / q)
    angle = torch.arange(side)[:, None] * freq[None]  # (S,q)
    pe = torch.zeros(side, side, d)
    pe[:, :, :q], pe[:, :, q:2 * q] = torch.sin(angle)[:, None], torch.cos(angle)[:, None]
    pe[:, :, 2 * q:3 * q], pe[:, :, 3 * q:] = torch.sin(angle)[None], torch.cos(angle)[None]
    return pe.reshape(side * side, d)


class Transformer(nn.Module):  # the cpu profile's shape: 1 layer, d 64, 4 heads, ffn 128, mean pooling
    def __init__(self, d=64):
        super().__init__()
        self.embed = nn.Embedding(258, d)
        nn.init.normal_(self.embed.weight, 0, d ** -0.5)
        if a.pos == "learned":
            self.pos = nn.Parameter(torch.randn(side * side, d) * 0.02)
        else:
            self.register_buffer("pos", sinusoid_2d(side, d))
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, 4, 2 * d, 0.1, batch_first=True), 1)
        self.head = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, 2))

    def forward(self, pixels):  # (B,S,S) -> (B,2)
        h = self.embed(pixels.flatten(1) + 1) + self.pos
        return self.head(self.encoder(h).mean(1))


class CNN(nn.Module):  # two 3x3 conv pairs, each followed by 2x2 max-pooling, then an MLP on the whole map
    def __init__(self):
        super().__init__()
        r = nn.ReLU
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), r(), nn.Conv2d(32, 32, 3, padding=1), r(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), r(), nn.Conv2d(64, 64, 3, padding=1), r(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * (side // 4) ** 2, 128), r(), nn.Linear(128, 2))

    def forward(self, pixels):
        return self.net(pixels[:, None].float() / 255)


model = CNN() if a.model == "cnn" else Transformer()
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
start, curve = time.time(), []
for step in range(1, a.steps + 1):
    for g in opt.param_groups:
        g["lr"] = a.lr * min(1.0, step / 100)  # the cpu profile's 100-step warm-up, then constant
    batch = torch.randint(0, n_train, (32,))
    model.train()
    loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 250 == 0:
        model.eval()
        with torch.no_grad():
            curve.append(f"{step}:{(model(x_val).argmax(1) == y_val).float().mean().item():.3f}")
print(f"model={a.model} pos={a.pos if a.model == 'transformer' else '-'} side={side} images={len(x)} "
      f"steps={a.steps} lr={a.lr} val_accuracy_at {' '.join(curve)} ({time.time() - start:.0f} s)", flush=True)
