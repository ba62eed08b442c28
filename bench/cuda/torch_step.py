#!/usr/bin/env python3
"""The training step of the default DIET and supervised recipes written in PyTorch (eager), for
timing next to idlab's CUDA plugin on the same GPU. Not a test; prints one JSON line per setting.

The step is the one idlab's recipes/paper/table2-default-a.toml and table3-default.toml take:
  data     a fresh batch of 1024 from the vMF-cluster process (d = 5, 100 clusters, N = 1000
           instances, kappa = 10) observed through a 4-layer leaky-ReLU mixing MLP, drawn on
           the GPU (Wood's rejection sampler with a fixed number of rounds, so that no step
           waits for the device; the leftover proposals are kept, which changes nothing
           measurable for the timing);
  encoder  Linear -> BatchNorm1d -> LeakyReLU(0.01) blocks 5 -> 50 -> 250 x4 -> 50, Linear -> 5;
  loss     a bias-free head (N = 1000 rows for DIET, 100 for supervised) and cross-entropy;
  update   Adam lr 1e-3 (PyTorch's default implementation; --fused-adam for fused=True).
No per-step synchronisation (no loss.item()), float32 matmuls without TF32, like idlab.

usage: torch_step.py [--steps 1000] [--warmup 100] [--recipe diet|supervised|both]
                     [--no-sampling] [--fused-adam]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_mixing(d, layers, gen, device):
    mats = []
    for _ in range(layers):
        a = torch.rand(d, d, generator=gen, device=device) * 2 - 1
        mats.append(a / a.norm(dim=0, keepdim=True))
    return mats


class ClusterData:
    """vMF clusters on S^(d-1) through a frozen mixing MLP, drawn on the GPU."""

    def __init__(self, d=5, clusters=100, samples=1000, kappa=10.0, layers=4, device="cuda", seed=0):
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed(seed)
        self.d, self.clusters, self.samples, self.kappa = d, clusters, samples, kappa
        centers = torch.randn(clusters, d, generator=self.gen, device=device)
        self.centers = centers / centers.norm(dim=1, keepdim=True)
        self.mixing = make_mixing(d, layers, self.gen, device)
        m1 = d - 1
        self.b = m1 / (math.sqrt(4 * kappa * kappa + m1 * m1) + 2 * kappa)
        self.x0 = (1 - self.b) / (1 + self.b)
        self.c = kappa * self.x0 + m1 * math.log(1 - self.x0 * self.x0)
        self.device = device

    def cosines(self, n, rounds=4):
        m1 = self.d - 1
        half = torch.full((n,), 0.5 * m1, device=self.device)
        w = torch.empty(n, device=self.device)
        done = torch.zeros(n, dtype=torch.bool, device=self.device)
        for _ in range(rounds):
            g1, g2 = torch._standard_gamma(half), torch._standard_gamma(half)
            z = g1 / (g1 + g2)
            prop = (1 - (1 + self.b) * z) / (1 - (1 - self.b) * z)
            u = torch.rand(n, generator=self.gen, device=self.device)
            ok = self.kappa * prop + m1 * torch.log(1 - self.x0 * prop) - self.c >= torch.log(u)
            w = torch.where(done, w, prop)  # the first accepted proposal, else the last one
            done = done | ok
        return w

    def batch(self, n):
        index = torch.randint(0, self.samples, (n,), generator=self.gen, device=self.device)
        label = index % self.clusters
        mu = self.centers[label]
        w = self.cosines(n)
        v = torch.randn(n, self.d, generator=self.gen, device=self.device)
        v = v - (v * mu).sum(1, keepdim=True) * mu
        v = v / v.norm(dim=1, keepdim=True)
        z = w[:, None] * mu + torch.sqrt(torch.clamp(1 - w * w, min=0))[:, None] * v
        x = z
        for i, a in enumerate(self.mixing):
            x = x @ a.T
            if i + 1 < len(self.mixing):
                x = F.leaky_relu(x, 0.2)
        return x, z, label, index


def encoder(d=5, hidden=(50, 250, 250, 250, 250, 50)):
    layers, prev = [], d
    for h in hidden:
        layers += [nn.Linear(prev, h), nn.BatchNorm1d(h), nn.LeakyReLU(0.01)]
        prev = h
    layers.append(nn.Linear(prev, d))
    return nn.Sequential(*layers)


def bench(target, steps, warmup, sampling, fused, device):
    data = ClusterData(device=device)
    enc = encoder().to(device)
    rows = data.samples if target == "index" else data.clusters
    head = nn.Linear(data.d, rows, bias=False).to(device)
    params = list(enc.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, fused=fused) if fused else torch.optim.Adam(params, lr=1e-3)
    fixed = data.batch(1024)

    def step():
        x, _, label, index = data.batch(1024) if sampling else fixed
        t = index if target == "index" else label
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(head(enc(x)), t)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return {"impl": "pytorch-eager", "recipe": "table2-default-a" if target == "index" else "table3-default",
            "steps": steps, "steps_per_second": round(steps / seconds, 1), "sampling": sampling,
            "adam": "fused" if fused else "default", "final_loss": round(float(loss), 4),
            "torch": torch.__version__, "device": torch.cuda.get_device_name(0)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--recipe", choices=["diet", "supervised", "both"], default="both")
    p.add_argument("--no-sampling", action="store_true", help="reuse one batch (time the model step alone)")
    p.add_argument("--fused-adam", action="store_true")
    a = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    targets = {"diet": ["index"], "supervised": ["label"], "both": ["index", "label"]}[a.recipe]
    for t in targets:
        print(json.dumps(bench(t, a.steps, a.warmup, not a.no_sampling, a.fused_adam, "cuda")), flush=True)


if __name__ == "__main__":
    main()
