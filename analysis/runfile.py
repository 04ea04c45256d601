"""Reading denseshift run files (docs/run-file.md), with clear errors."""
import json
import pathlib

import h5py
import numpy as np

FORMAT_VERSION = 1


class RunFileError(Exception):
    """A run file that is missing, of another format version, or lacks what a tool needs."""


class Run:
    """One run file, opened read-only; its attributes parsed, its datasets read on demand."""

    def __init__(self, path):
        path = pathlib.Path(path)
        if path.is_dir():
            path = path / "run.h5"
        if not path.exists():
            raise RunFileError(f"{path}: no such run file")
        self.path = path
        try:
            with h5py.File(path, "r") as f:
                version = f.attrs.get("format_version")
                if version is None:
                    raise RunFileError(f"{path}: not a denseshift run file (no format_version attribute)")
                if int(version) != FORMAT_VERSION:
                    raise RunFileError(f"{path}: format_version {int(version)}, but these tools read "
                                       f"version {FORMAT_VERSION}")
                self.config = json.loads(f.attrs["config"])
                self.environment = json.loads(f.attrs["environment"])
                self.status = str(f.attrs["status"])
        except OSError as error:
            raise RunFileError(f"{path}: cannot be read as HDF5 ({error})") from error

    def has(self, dataset):
        with h5py.File(self.path, "r") as f:
            return dataset in f

    def read(self, dataset):
        """A dataset as a numpy array; RunFileError naming the file and the dataset if absent."""
        with h5py.File(self.path, "r") as f:
            if dataset not in f:
                raise RunFileError(f"{self.path}: has no '{dataset}' (was it recorded? see docs/run-file.md)")
            return np.asarray(f[dataset][()])

    def group_attrs(self, group):
        with h5py.File(self.path, "r") as f:
            if group not in f:
                raise RunFileError(f"{self.path}: has no group '{group}'")
            return {k: (json.loads(v) if k in ("latents", "shape") else str(v)) for k, v in f[group].attrs.items()}

    def layers(self):
        """Names of the recorded layers, in file order."""
        with h5py.File(self.path, "r") as f:
            return list(f["layers"].keys()) if "layers" in f else []

    def config_value(self, dotted):
        """A config value by dotted key, e.g. 'model.quant.bits'."""
        node = self.config
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise RunFileError(f"{self.path}: config has no key '{dotted}'")
            node = node[part]
        return node

    @property
    def label(self):
        """A short description: 'sign_scale dense_shift 3-bit, seed 0'."""
        q = self.config["model"]["quant"]
        method = q["parametrization"]
        if method != "full_precision":
            method += f" {q['space']} {q['bits']}-bit"
        return f"{method}, {q['init']}, seed {self.config['train']['seed']}"

    @property
    def name(self):
        return self.path.parent.name


def sign_shift_magnitudes(quant):
    """How many shifts the sign-shift quantizer's shift latent w rounds to: S = clamp(round(w), 0,
    magnitudes - 1), thresholds at 0.5, 1.5, ... (lib/src/quant/sign_shift.cpp; `quant` is a run
    config's model.quant)."""
    return 2 ** (quant["bits"] - 1) - (1 if quant["space"] == "shift" else 0)


def load_runs(paths, warn=True):
    """The runs at `paths`; with `warn`, one stderr line for each run without a finished epoch
    (its figures would be empty)."""
    import sys

    runs = [Run(p) for p in paths]
    if warn:
        for run in runs:
            if run.has("epochs/epoch") and len(run.read("epochs/epoch")) == 0:
                print(f"warning: {run.path.parent} has no finished epoch (status '{run.status}')", file=sys.stderr)
    return runs


def common_layer(runs, layer=None):
    """`layer` if every run recorded it, else the first layer they all recorded."""
    shared = [name for name in runs[0].layers() if all(name in r.layers() for r in runs[1:])]
    if layer is not None:
        if layer not in shared:
            raise RunFileError(f"layer '{layer}' is not recorded in every run (shared: {', '.join(shared) or 'none'})")
        return layer
    if not shared:
        raise RunFileError("the runs share no recorded layer: train them with the config section 'record' on")
    return shared[0]
