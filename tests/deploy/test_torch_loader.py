"""analysis.torch_loader: an exported model file as a plain PyTorch module reaches `denseshift eval`'s
accuracy on the real Fashion-MNIST test images (a short LeNet run on a subset), also after the
Theorem-1 conversion."""
import gzip
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # Debian's python3-torch (scripts/setup.sh installs it)

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from analysis.torch_loader import load_module  # noqa: E402

BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")
TEST_IMAGES = 1000


def fashion_test(n):
    with gzip.open(FASHION / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(FASHION / "t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:n]
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


@pytest.mark.skipif(not FASHION.exists(), reason="needs Debian's dataset-fashion-mnist (scripts/setup.sh)")
@pytest.mark.parametrize("quant", [{"parametrization": "sign_scale", "bits": 2, "init": "low_variance"},
                                   {"parametrization": "s3", "space": "shift", "bits": 3}])
def test_the_pytorch_module_reaches_evals_accuracy(tmp_path, quant):
    config = {"data": {"name": "fashion-mnist", "train_subset": 3000, "test_subset": TEST_IMAGES},
              "model": {"name": "lenet", "quant": quant}, "train": {"epochs": 1, "threads": 1}}
    (tmp_path / "c.json").write_text(json.dumps(config))
    assert subprocess.run([BIN, "train", "--config", tmp_path / "c.json", "--out", tmp_path / "run"],
                          capture_output=True).returncode == 0
    assert subprocess.run([BIN, "export", tmp_path / "run", "--out", tmp_path / "m.dsm"],
                          capture_output=True).returncode == 0
    evaluated = subprocess.run([BIN, "eval", tmp_path / "run"], capture_output=True, text=True)
    top1 = float(evaluated.stdout.split("top1 ")[1].split("%")[0])
    images, labels = fashion_test(TEST_IMAGES)
    models = [tmp_path / "m.dsm"]
    if quant["parametrization"] == "s3":
        assert subprocess.run([BIN, "convert", tmp_path / "m.dsm", "--out", tmp_path / "dense.dsm"],
                              capture_output=True).returncode == 0
        models.append(tmp_path / "dense.dsm")
    for model in models:
        net, _ = load_module(model)
        with torch.no_grad():
            predicted = net(images).argmax(1)
        assert f"{100 * (predicted == labels).float().mean().item():.2f}" == f"{top1:.2f}", model
