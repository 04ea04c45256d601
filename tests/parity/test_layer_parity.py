"""One layer, two implementations: the toolkit's ShiftConv2d (LibTorch, through the
denseshift_layer_parity tool) against the plain PyTorch layers of
experiments/parity/reference.py, forward and backward on the same fixed inputs.

This is the CI-sized part of the parity study (experiments/parity/README.md). Needs Debian's
python3-torch (scripts/setup.sh installs it); without it the tests skip, except under CI=true,
where a missing torch is a failure rather than a silent skip.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))
TOOL = Path(BIN).resolve().parent.parent / "tests" / "denseshift_layer_parity"

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the machine
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("python3-torch is not installed (scripts/setup.sh installs it)", allow_module_level=True)

sys.path.insert(0, str(ROOT / "experiments" / "parity"))
import reference  # noqa: E402

IN_CHANNELS, OUT_CHANNELS = 8, 8  # 576 weights: 4-bit's top level (all 7 shifts on) appears


def latents_for(parametrization, bits, rng):
    """Latents drawn across the decision thresholds, with some entries exactly 0 (H(0) = 0,
    sgn(0) = +1 must agree in both)."""
    shape = (OUT_CHANNELS, IN_CHANNELS, 3, 3)
    names = ["weight"] if parametrization == "full_precision" else ["sign"] + [f"t{t}" for t in range(1, 2 ** (bits - 1))]
    out = {}
    for name in names:
        x = rng.normal(0.0, 0.5, size=shape).astype(np.float32)
        x.flat[rng.choice(x.size, size=6, replace=False)] = 0.0
        out[name] = x
    return out


def torch_layer(parametrization, bits, lr_rescaling, latents, x, grad_out, stride, padding):
    """The same forward and backward in plain PyTorch (reference.py's layer)."""
    if parametrization == "full_precision":
        w = torch.tensor(latents["weight"], requires_grad=True)
        params = {"weight": w}
        weight = w
    else:
        params = {name: torch.tensor(v, requires_grad=True) for name, v in latents.items()}
        shifts = [params[f"t{t}"] for t in range(1, 2 ** (bits - 1))]
        weight = reference.sign_scale_weight(params["sign"], shifts, lr_rescaling)
    xt = torch.tensor(x, requires_grad=True)
    y = F.conv2d(xt, weight, None, stride, padding)
    y.backward(torch.tensor(grad_out))
    grads = {name: p.grad.numpy() for name, p in params.items()}
    return y.detach().numpy(), xt.grad.numpy(), grads


CASES = [
    ("sign_scale", 3, True, 1, 1),
    ("sign_scale", 3, False, 1, 1),
    ("sign_scale", 2, True, 2, 1),
    ("sign_scale", 4, True, 1, 0),
    ("full_precision", 3, True, 1, 1),
]


@pytest.mark.parametrize("parametrization,bits,lr_rescaling,stride,padding", CASES)
def test_forward_and_backward_match_plain_pytorch(tmp_path, parametrization, bits, lr_rescaling, stride, padding):
    assert TOOL.exists(), f"{TOOL} is not built (scripts/build.sh builds it)"
    rng = np.random.default_rng(1234 + bits)
    latents = latents_for(parametrization, bits, rng)
    x = rng.normal(size=(2, IN_CHANNELS, 7, 7)).astype(np.float32)
    side = (7 + 2 * padding - 3) // stride + 1
    grad_out = rng.normal(size=(2, OUT_CHANNELS, side, side)).astype(np.float32)

    case = tmp_path / "case"
    case.mkdir()
    (case / "case.json").write_text(json.dumps(dict(
        parametrization=parametrization, bits=bits, lr_rescaling=lr_rescaling, in_channels=IN_CHANNELS,
        out_channels=OUT_CHANNELS, kernel_size=3, stride=stride, padding=padding, input_shape=list(x.shape))))
    x.tofile(case / "input.f32")
    grad_out.tofile(case / "grad_output.f32")
    for name, v in latents.items():
        v.tofile(case / f"latent.{name}.f32")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run([str(TOOL), str(case), str(out)], check=True, capture_output=True, text=True)

    y, gx, grads = torch_layer(parametrization, bits, lr_rescaling, latents, x, grad_out, stride, padding)
    load = lambda name, like: np.fromfile(out / name, dtype=np.float32).reshape(like.shape)  # noqa: E731
    # Same formulas, different convolution code paths: only summation order differs.
    np.testing.assert_allclose(load("output.f32", y), y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(load("grad_input.f32", gx), gx, rtol=1e-5, atol=1e-5)
    for name, g in grads.items():
        np.testing.assert_allclose(load(f"grad.{name}.f32", g), g, rtol=1e-5, atol=1e-4, err_msg=name)
    if parametrization == "sign_scale":
        # The case must reach every level with both signs, or a wrong level could hide.
        shifts = [torch.tensor(latents[f"t{t}"]) for t in range(1, 2 ** (bits - 1))]
        w = reference.sign_scale_weight(torch.tensor(latents["sign"]), shifts).detach().numpy()
        assert len(np.unique(np.abs(w))) == 2 ** (bits - 1)
        assert (w > 0).any() and (w < 0).any()

def test_a_wrong_latent_is_caught(tmp_path):
    """The comparison can fail: flipping one latent's sign in the toolkit's input must be seen."""
    assert TOOL.exists(), f"{TOOL} is not built"
    rng = np.random.default_rng(7)
    latents = latents_for("sign_scale", 3, rng)
    x = rng.normal(size=(2, IN_CHANNELS, 7, 7)).astype(np.float32)
    grad_out = rng.normal(size=(2, OUT_CHANNELS, 7, 7)).astype(np.float32)
    case, out = tmp_path / "case", tmp_path / "out"
    case.mkdir(), out.mkdir()
    (case / "case.json").write_text(json.dumps(dict(
        parametrization="sign_scale", bits=3, in_channels=IN_CHANNELS, out_channels=OUT_CHANNELS, kernel_size=3,
        stride=1, padding=1, input_shape=list(x.shape))))
    x.tofile(case / "input.f32")
    grad_out.tofile(case / "grad_output.f32")
    tampered = dict(latents)
    tampered["sign"] = latents["sign"].copy()
    tampered["sign"].flat[0] = -abs(tampered["sign"].flat[0]) - 1.0
    latents["sign"].flat[0] = abs(latents["sign"].flat[0]) + 1.0
    for name, v in tampered.items():
        v.tofile(case / f"latent.{name}.f32")
    subprocess.run([str(TOOL), str(case), str(out)], check=True, capture_output=True)
    y, _, _ = torch_layer("sign_scale", 3, True, latents, x, grad_out, 1, 1)
    assert not np.allclose(np.fromfile(out / "output.f32", dtype=np.float32).reshape(y.shape), y, atol=1e-3)


def test_a_missing_latent_file_is_a_clear_error(tmp_path):
    assert TOOL.exists(), f"{TOOL} is not built"
    case, out = tmp_path / "case", tmp_path / "out"
    case.mkdir(), out.mkdir()
    (case / "case.json").write_text(json.dumps(dict(
        parametrization="sign_scale", bits=2, in_channels=1, out_channels=1, kernel_size=3, input_shape=[1, 1, 3, 3])))
    r = subprocess.run([str(TOOL), str(case), str(out)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "latent.sign.f32" in r.stderr
