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


@pytest.mark.parametrize("model", ["lenet", "resnet20"])
def test_the_loaded_network_is_a_real_module(tmp_path, model):
    """Issue 28, item 3: parameters and buffers (state_dict round-trips), a printed form with the
    layers, torch.jit.script, dtype conversion; the same logits throughout."""
    config = {"data": {"name": "synthetic", "synthetic_train": 64, "synthetic_test": 16, "synthetic_size": 16,
                       "synthetic_classes": 4},
              "model": {"name": model, "quant": {"parametrization": "sign_scale", "bits": 3, "init": "low_variance"},
                        "activation": {"bits": 4}},
              "train": {"epochs": 1, "batch_size": 32, "threads": 1}}
    (tmp_path / "c.json").write_text(json.dumps(config))
    r = subprocess.run([BIN, "train", "--config", tmp_path / "c.json", "--out", tmp_path / "run"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert subprocess.run([BIN, "export", tmp_path / "run", "--out", tmp_path / "m.dsm"],
                          capture_output=True).returncode == 0
    net, _ = load_module(tmp_path / "m.dsm")
    images = torch.rand(3, 1, 16, 16)
    with torch.no_grad():
        logits = net(images)
    assert logits.shape == (3, 4)
    params = dict(net.named_parameters())
    first = "layers.conv1.weight" if model == "lenet" else "layers.stem.weight"
    assert first in params and params[first].dim() == 4
    assert sum(p.numel() for p in net.parameters()) > 1000
    state = net.state_dict()
    assert any(k.endswith(".alpha") for k in state) and any(k.endswith(".scale") for k in state)
    fresh, _ = load_module(tmp_path / "m.dsm")
    with torch.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict(state)
    with torch.no_grad():
        assert torch.equal(fresh(images), logits)
    # The packed codes' size stays known: 3-bit weights take 3 bits a value in the file.
    conv = "conv2" if model == "lenet" else "stage1_0.conv1"
    assert net.stored_bits[conv + ".weight"] == 3
    assert net.stored_bytes[conv + ".weight"] == (net.layers[conv.replace(".", "_")].weight.numel() * 3 + 7) // 8
    assert net.stored_bits[("conv1" if model == "lenet" else "stem") + ".weight"] == 32  # the full-precision stem
    printed = str(net)
    assert "DenseShiftNet" in printed and ("(conv2): Conv(" in printed or "(stage1_0_conv1): Conv(" in printed)
    assert "pact, 4 bits" in printed
    scripted = torch.jit.script(net)
    with torch.no_grad():
        assert torch.allclose(scripted(images), logits, atol=1e-5, rtol=1e-5)
        assert torch.allclose(net.double()(images.double()), logits.double(), atol=1e-4, rtol=1e-4)


@pytest.mark.skipif(not FASHION.exists(), reason="needs Debian's dataset-fashion-mnist (scripts/setup.sh)")
def test_every_registered_model_trains_exports_infers_and_loads(tmp_path):
    """Issue 28, item 1: the model file holds the graph, so every registered model (ResNet-18 and -50
    too) runs in the engine (`denseshift infer`) and in PyTorch with `denseshift eval`'s accuracy on
    the same test images. One image may differ where the float summation orders meet a near tie
    (a one-epoch network's logits are close)."""
    names = subprocess.run([BIN, "list", "models"], capture_output=True, text=True, check=True).stdout.split()
    registered = [n for n in ("lenet", "resnet20", "resnet18", "resnet50") if n in names]
    assert registered == ["lenet", "resnet20", "resnet18", "resnet50"], names
    n = 200
    images, labels = fashion_test(n)
    for model in registered:
        run, dsm = tmp_path / f"{model}-run", tmp_path / f"{model}.dsm"
        config = {"data": {"name": "fashion-mnist", "train_subset": 128, "test_subset": n},
                  "model": {"name": model, "quant": {"parametrization": "sign_scale", "bits": 2, "init": "low_variance"}},
                  "train": {"epochs": 1, "batch_size": 64, "threads": 2}}
        (tmp_path / "c.json").write_text(json.dumps(config))
        r = subprocess.run([BIN, "train", "--config", tmp_path / "c.json", "--out", run], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        r = subprocess.run([BIN, "export", run, "--out", dsm], capture_output=True, text=True)
        assert r.returncode == 0, (model, r.stderr)
        top1 = {}
        for what, command in (("eval", ["eval", run]), ("infer", ["infer", dsm])):
            r = subprocess.run([BIN, *command], capture_output=True, text=True)
            assert r.returncode == 0, (model, what, r.stderr)
            top1[what] = float(r.stdout.split("top1 ")[1].split("%")[0])
        net, header = load_module(dsm)
        assert header["graph"]["nodes"][0]["name"] in ("conv1", "stem")
        with torch.no_grad():
            top1["torch"] = 100 * (net(images).argmax(1) == labels).float().mean().item()
        for what in ("infer", "torch"):
            assert abs(top1[what] - top1["eval"]) <= 100 / n + 1e-6, (model, top1)
