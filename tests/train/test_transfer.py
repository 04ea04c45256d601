"""Transfer learning end to end (`transfer.init_from`, train/transfer.h) on synthetic data: what
is loaded, what is new, freezing, the backbone's learning rate, the run file's record of the
source, and bad backbones refused before anything is written."""
import json
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("DENSESHIFT_BIN", str(ROOT / "build" / "cli" / "denseshift"))

BACKBONE = {
    "data": {"name": "synthetic", "synthetic_train": 1024, "synthetic_test": 128, "synthetic_size": 16,
             "synthetic_classes": 4, "classes": [0, 1]},
    "model": {"name": "lenet", "quant": {"parametrization": "sign_scale", "bits": 3, "init": "low_variance"}},
    "optim": {"lr": 0.05},
    "train": {"epochs": 2, "batch_size": 64, "threads": 1},
    "record": {"histograms": True, "freezing": True, "traces": True, "trace_every_steps": 8},
}


def train(tmp_path, name, config, *sets, check=0):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    args = [BIN, "train", "--config", str(path), "--out", str(tmp_path / name)]
    for s in sets:
        args += ["--set", s]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == check, r.stderr
    return r


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backbone")
    train(tmp, "bb", BACKBONE)
    return tmp / "bb"


def fine_tune(tmp_path, backbone, name, *sets, check=0):
    return train(tmp_path, name, BACKBONE, "data.classes=[2,3]", f"transfer.init_from={backbone}", *sets, check=check)


def read(run, dataset):
    with h5py.File(run / "run.h5", "r") as f:
        return f[dataset][()]


def test_the_backbone_is_loaded_the_classifier_and_heads_are_new_and_the_source_recorded(tmp_path, backbone):
    fine_tune(tmp_path, backbone, "ft", "model.head_blocks=1")
    run = tmp_path / "ft"
    # conv2's weights at the fine-tune's start are the backbone's at its end (value counts).
    np.testing.assert_array_equal(read(run, "layers/conv2.weight/histograms/effective")[0],
                                  read(backbone, "layers/conv2.weight/histograms/effective")[-1])
    with h5py.File(run / "run.h5", "r") as f:
        attrs = dict(f["transfer"].attrs)
        assert "layers/head1_fc.weight" in f  # the new head is a quantized (recorded) layer
    assert attrs["init_from"] == str(backbone) and attrs["backbone_epochs"] == "2"
    assert len(attrs["backbone_config_hash"]) == 16
    # Loaded: everything but the classifier (weight, bias) and head1 (fc latents, BatchNorm's 5 tensors).
    assert int(attrs["new_tensors"]) == 2 + 4 + 5 and int(attrs["loaded_tensors"]) > 20
    stored = json.loads((run / "config.json").read_text())
    assert stored["transfer"]["init_from"] == str(backbone)


@pytest.mark.parametrize("sets", [["transfer.freeze_backbone=true"], ["transfer.backbone_lr_scale=0"]])
def test_a_frozen_or_zero_rate_backbone_does_not_move_while_the_head_does(tmp_path, backbone, sets):
    fine_tune(tmp_path, backbone, "ft", "model.head_blocks=1", *sets)
    run = tmp_path / "ft"
    # Sampled latents over the whole run: every record equals the first, bit for bit.
    for layer in ("conv2.weight", "fc2.weight"):
        for latent in ("sign", "t1", "effective"):
            traces = read(run, f"layers/{layer}/traces/{latent}")
            assert len(traces) > 2
            np.testing.assert_array_equal(traces, np.broadcast_to(traces[0], traces.shape), err_msg=f"{layer} {latent}")
    head = read(run, "layers/head1_fc.weight/traces/sign")
    assert not np.array_equal(head[-1], head[0]), "the new head trains"


def test_a_full_precision_backbone_is_projected_onto_the_weight_space(tmp_path, backbone):
    fp = dict(BACKBONE, model={"name": "lenet", "quant": {"parametrization": "full_precision"}})
    train(tmp_path, "fp", fp)
    train(tmp_path, "ft", BACKBONE, "data.classes=[2,3]", f"transfer.init_from={tmp_path / 'fp'}")
    with h5py.File(tmp_path / "ft" / "run.h5", "r") as f:
        assert f["transfer"].attrs["projected_layers"] == "3"  # conv2, fc1, fc2


@pytest.mark.parametrize("sets, message", [
    (["transfer.init_from=/nonexistent/run"], "transfer.init_from '/nonexistent/run': no such run directory"),
    (["model.quant.bits=2"], "its layers are sign_scale (3-bit), this run's sign_scale (2-bit)"),
    (["model.name=resnet20"], "its model is lenet, this run's resnet20"),
    (["model.quantize_first_conv=true"], "conv1.weight.sign is not in its checkpoint"),
])
def test_an_unusable_backbone_exits_2_with_one_line_and_creates_nothing(tmp_path, backbone, sets, message):
    r = fine_tune(tmp_path, backbone, "never", *sets, check=2)
    assert message in r.stderr and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "never").exists()


def test_a_corrupt_backbone_checkpoint_is_named(tmp_path, backbone):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((backbone / "config.json").read_text())
    (broken / "checkpoint.pt").write_bytes((backbone / "checkpoint.pt").read_bytes()[:500])
    (broken / "run.h5").write_bytes((backbone / "run.h5").read_bytes())
    r = train(tmp_path, "never", BACKBONE, f"transfer.init_from={broken}", check=2)
    assert "checkpoint.pt cannot be read (corrupt or not a checkpoint)" in r.stderr
    assert not (tmp_path / "never").exists()


def test_a_backbone_that_has_not_completed_is_refused_unless_allowed_and_its_status_recorded(tmp_path, backbone):
    """Issue 27, item 14: a backbone still training or killed silently gave its last checkpoint."""
    killed = tmp_path / "killed"
    killed.mkdir()
    for name in ("config.json", "checkpoint.pt", "run.h5"):
        (killed / name).write_bytes((backbone / name).read_bytes())
    with h5py.File(killed / "run.h5", "r+") as f:
        f.attrs["status"] = "running"  # what a killed run leaves
    r = fine_tune(tmp_path, killed, "never", check=2)
    assert "the backbone has not completed (its run file says: running)" in r.stderr, r.stderr
    assert "transfer.allow_incomplete_backbone=true" in r.stderr and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "never").exists()
    fine_tune(tmp_path, killed, "allowed", "transfer.allow_incomplete_backbone=true")
    with h5py.File(tmp_path / "allowed" / "run.h5", "r") as f:
        status = f["transfer"].attrs["backbone_status"]
    assert (status.decode() if isinstance(status, bytes) else status) == "running"
