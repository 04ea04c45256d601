"""Training-step time of the parity study's plain PyTorch ResNet-20 (experiments/parity/reference.py)
in NCHW and channels-last order, with oneDNN (mkldnn) on and off: what the LibTorch underneath both
implementations does with each layout. Batch 128 of 1x28x28 random images, 2 threads, median of 10
steps after 3; two rounds. Prints one line per setting. Run with nothing else running (~3 min here):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 experiments/perf/pytorch_layouts.py
"""
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "parity"))
import reference as R  # noqa: E402


def step_seconds(method, layout, mkldnn, steps=10, warmup=3):
    torch.backends.mkldnn.enabled = mkldnn
    torch.manual_seed(0)
    model = R.ResNet20(method, 3, 1, 10)
    x = torch.randn(128, 1, 28, 28)
    y = torch.randint(0, 10, (128,))
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    torch.set_num_threads(2)
    print(f"PyTorch {torch.__version__}, 2 threads")
    for rnd in range(2):
        for method in ("full_precision", "sign_scale"):
            for layout in ("nchw", "channels_last"):
                for mkldnn in (True, False):
                    s = step_seconds(method, layout, mkldnn)
                    print(f"round {rnd} {method} {layout} {'mkldnn' if mkldnn else 'no-mkldnn'} {s:.3f} s/step",
                          flush=True)


if __name__ == "__main__":
    main()
