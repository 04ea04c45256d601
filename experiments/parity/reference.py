#!/usr/bin/python3
"""A plain PyTorch ResNet-20 with DenseShift sign-scale convolutions: the parity reference.

Written from the DenseShift papers (v2 Sec. 3) and ../../../shared/REFERENCE.md, not from the
toolkit's library, so that `denseshift train` can be checked against an implementation it did
not write. Everything is ordinary autograd: the Heaviside and sign functions are
straight-through through `x + (f(x) - x).detach()`, and the local learning-rate rescaling
is the authors' surrogate `w = wb + (wf - wb).detach()` with wb = sgn * sqrt(S+1).

Recipe (the issue's, for both this script and experiments/parity/*.json): ResNet-20
(CIFAR-style, 16/32/64, first conv and classifier full precision), SGD lr 0.1, momentum 0.9,
weight decay 1e-4 on every parameter, cosine decay to 0 per step, batch 128 (the last
incomplete batch dropped), no augmentation, Fashion-MNIST normalised by the training split's
mean and std. Init: Kaiming normal fan-out for full-precision convs, N(0, 1e-3) for every
DenseShift latent, PyTorch's default for the classifier, BatchNorm weight 1 and bias 0.

Usage: /usr/bin/python3 experiments/parity/reference.py --method full_precision|sign_scale
           --seed S --out RESULT.json [--epochs 2] [--bits 3] [--threads 2] [--eval-batch-size 128]
Writes RESULT.json (through a temporary file) with one record per epoch.
"""

import argparse
import gzip
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


# ---------------------------------------------------------------- the DenseShift layer

def heaviside_ste(x):
    """H(x) = 1 if x > 0 else 0 forward; identity backward."""
    return x + ((x > 0).to(x.dtype) - x).detach()


def sign_ste(x):
    """sgn(x) = +1 if x >= 0 else -1 forward; identity backward."""
    return x + (torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x)) - x).detach()


def sign_scale_weight(sign, shifts, lr_rescaling=True):
    """w = sgn(sign) * 2^S_T, S_0 = 0, S_t = H(t_t) (S_{t-1} + 1) (DenseShift v2 Eqs. 3-4).

    With lr_rescaling the backward sees sgn * sqrt(S_T + 1) (Eq. 8) while the forward value
    stays sgn * 2^S_T; without it, autograd of 2^S_T (Eq. 7)."""
    level = torch.zeros_like(sign)
    for t in shifts:
        level = heaviside_ste(t) * (level + 1.0)
    s = sign_ste(sign)
    exact = s * torch.pow(2.0, level)
    if not lr_rescaling:
        return exact
    surrogate = s * torch.sqrt(level + 1.0)
    return surrogate + (exact - surrogate).detach()


class DenseShiftConv2d(nn.Module):
    """A bias-free conv whose weight is sign-scale decomposed: 2^(bits-1) - 1 shift latents."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bits=3,
                 lr_rescaling=True, init_std=1e-3):
        super().__init__()
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.stride, self.padding, self.lr_rescaling = stride, padding, lr_rescaling
        self.weight_sign = nn.Parameter(torch.empty(shape))
        self.shifts = nn.ParameterList([nn.Parameter(torch.empty(shape)) for _ in range(2 ** (bits - 1) - 1)])
        for p in [self.weight_sign, *self.shifts]:
            nn.init.normal_(p, 0.0, init_std)  # low-variance init (DenseShift v2 Sec. 3.3)

    def weight(self):
        return sign_scale_weight(self.weight_sign, list(self.shifts), self.lr_rescaling)

    def forward(self, x):
        return F.conv2d(x, self.weight(), None, self.stride, self.padding)


# ---------------------------------------------------------------- ResNet-20

def make_conv(method, bits, cin, cout, k, stride, padding):
    if method == "sign_scale":
        return DenseShiftConv2d(cin, cout, k, stride, padding, bits=bits)
    conv = nn.Conv2d(cin, cout, k, stride, padding, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")  # N(0, sqrt(2 / (k k C_out)))
    return conv


class BasicBlock(nn.Module):
    def __init__(self, method, bits, cin, cout, stride):
        super().__init__()
        self.conv1 = make_conv(method, bits, cin, cout, 3, stride, 1)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = make_conv(method, bits, cout, cout, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:  # 1x1 downsample conv, quantized like the others
            self.shortcut = nn.Sequential(make_conv(method, bits, cin, cout, 1, stride, 0), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet20(nn.Module):
    def __init__(self, method, bits=3, in_channels=1, classes=10):
        super().__init__()
        self.stem = make_conv("full_precision", bits, in_channels, 16, 3, 1, 1)  # first conv stays FP
        self.stem_bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(BasicBlock(method, bits, cin, width, 2 if stage > 0 and b == 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.classifier = nn.Linear(64, classes)  # FP, PyTorch's default init

    def forward(self, x):
        h = self.blocks(F.relu(self.stem_bn(self.stem(x))))
        return self.classifier(F.adaptive_avg_pool2d(h, 1).flatten(1))


# ---------------------------------------------------------------- data

def read_idx(path, dims):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[2] != 0x08 or raw[3] != dims:
        raise ValueError(f"{path}: not an unsigned-byte IDX file with {dims} dimensions")
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(folder):
    def split(prefix):
        images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), 3)
        labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), 1)
        return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))
    (xtr, ytr), (xte, yte) = split("train"), split("t10k")
    mean = xtr.mean(dim=(0, 2, 3), keepdim=True)
    std = xtr.std(dim=(0, 2, 3), unbiased=False, keepdim=True)
    return (xtr - mean) / std, ytr, (xte - mean) / std, yte


# ---------------------------------------------------------------- training

def cosine_lr(base, step, total):
    return base * 0.5 * (1.0 + math.cos(math.pi * min(1.0, step / max(1, total))))


def evaluate(model, x, y, batch):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(x), correct / len(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", choices=["full_precision", "sign_scale"], required=True)
    ap.add_argument("--bits", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--eval-batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--train-subset", type=int, default=0, help="first N training images only (smoke tests)")
    ap.add_argument("--test-subset", type=int, default=0, help="first N test images only (smoke tests)")
    ap.add_argument("--out", required=True, help="result JSON file")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr, ytr, xte, yte = load_fashion_mnist(args.data)
    if args.train_subset:
        xtr, ytr = xtr[:args.train_subset], ytr[:args.train_subset]
    if args.test_subset:
        xte, yte = xte[:args.test_subset], yte[:args.test_subset]
    model = ResNet20(args.method, args.bits, in_channels=1, classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    steps_per_epoch = len(xtr) // args.batch_size
    total = steps_per_epoch * args.epochs
    order_rng = torch.Generator().manual_seed(args.seed + 1)

    epochs, step = [], 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(xtr), generator=order_rng)
        loss_sum, correct, t0 = 0.0, 0, time.perf_counter()
        for b in range(steps_per_epoch):
            idx = order[b * args.batch_size:(b + 1) * args.batch_size]
            for group in optimizer.param_groups:
                group["lr"] = cosine_lr(args.lr, step, total)
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            loss_sum += loss.item()
            correct += (logits.argmax(1) == ytr[idx]).sum().item()
        train_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        test_loss, test_top1 = evaluate(model, xte, yte, args.eval_batch_size)
        eval_s = time.perf_counter() - t1
        record = dict(epoch=epoch, train_loss=loss_sum / steps_per_epoch,
                      train_top1=correct / (steps_per_epoch * args.batch_size),
                      test_loss=test_loss, test_top1=test_top1, train_s=train_s, eval_s=eval_s)
        epochs.append(record)
        print(f"epoch {epoch}/{args.epochs}  loss {record['train_loss']:.4f}  test top1 {100 * test_top1:.2f}%  "
              f"train {train_s:.1f} s  eval {eval_s:.1f} s", flush=True)

    result = dict(method=args.method, bits=args.bits, seed=args.seed, threads=args.threads,
                  steps_per_epoch=steps_per_epoch, batch_size=args.batch_size, eval_batch_size=args.eval_batch_size, lr=args.lr,
                  torch_version=torch.__version__, python=platform.python_version(),
                  command_line=" ".join(sys.argv), epochs=epochs)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
