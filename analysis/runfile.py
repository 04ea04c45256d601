"""Reading denseshift run files (docs/run-file.md), with clear errors: the one validating reader
every analysis tool reads through (Run)."""
import json
import pathlib

import h5py
import numpy as np

FORMAT_VERSION = 1


class RunFileError(Exception):
    """A run file that is missing, of another format version, or lacks what a tool needs."""


# A dataset is read only when its values fit this many bytes and the file really stores them: a
# chunked dataset can declare 2^28 rows in a 1 MB file (HDF5 fills the unwritten chunks on read).
MAX_READ_BYTES = 1 << 30
FRACTION_SERIES = ("test_top1", "test_top5", "train_top1", "validation_top1")
_H5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError, IndexError, OverflowError)


def _text(value, what, path):
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            raise RunFileError(f"{path}: its {what} attribute is not UTF-8 text") from None
    if isinstance(value, str):
        return value
    raise RunFileError(f"{path}: its {what} attribute is not text ({type(value).__name__})")


def _json_object(value, what, path):
    try:
        parsed = json.loads(_text(value, what, path))
    except (ValueError, RecursionError):
        raise RunFileError(f"{path}: its {what} attribute is not JSON") from None
    if not isinstance(parsed, dict):
        raise RunFileError(f"{path}: its {what} attribute is not a JSON object")
    return parsed


class Run:
    """One run file, opened read-only; its attributes parsed, its datasets read on demand.

    Every read is validated (analysis tools read through this class only): a dataset must be
    numeric, no larger than MAX_READ_BYTES and really stored in the file; every /epochs series must
    be 1-D and as long as /epochs/epoch, whose values must be 1, 2, ..., n; accuracies must lie in
    [0, 1] (or be NaN). Anything else, and any HDF5 failure, is a RunFileError naming the file:
    a hostile or corrupt run file never becomes a traceback, a huge allocation or a wrong number."""

    def __init__(self, path):
        path = pathlib.Path(path)
        if path.is_dir():
            path = path / "run.h5"
        if not path.exists():
            raise RunFileError(f"{path}: no such run file")
        if not path.is_file():
            raise RunFileError(f"{path}: not a regular file")
        self.path = path
        self._epochs = None
        try:
            with h5py.File(path, "r") as f:
                version = f.attrs.get("format_version")
                if version is None:
                    raise RunFileError(f"{path}: not a denseshift run file (no format_version attribute)")
                try:
                    version = int(np.asarray(version).reshape(-1)[0])
                except (TypeError, ValueError, IndexError, OverflowError):
                    raise RunFileError(f"{path}: a malformed format_version") from None
                if version != FORMAT_VERSION:
                    raise RunFileError(f"{path}: format_version {version}, but these tools read "
                                       f"version {FORMAT_VERSION}")
                for name in ("config", "environment", "status"):
                    if name not in f.attrs:
                        raise RunFileError(f"{path}: has no '{name}' attribute (not a complete run file)")
                self.config = _json_object(f.attrs["config"], "config", path)
                self.environment = _json_object(f.attrs["environment"], "environment", path)
                self.status = _text(f.attrs["status"], "status", path)
        except RunFileError:
            raise
        except _H5_ERRORS as error:
            raise RunFileError(f"{path}: cannot be read as HDF5 ({str(error)[:200]})") from None

    def has(self, dataset):
        try:
            with h5py.File(self.path, "r") as f:
                return dataset in f
        except _H5_ERRORS as error:
            raise RunFileError(f"{self.path}: cannot be read as HDF5 ({str(error)[:200]})") from None

    def _read_raw(self, f, dataset):
        if dataset not in f:
            raise RunFileError(f"{self.path}: has no '{dataset}' (was it recorded? see docs/run-file.md)")
        d = f[dataset]
        if not isinstance(d, h5py.Dataset):
            raise RunFileError(f"{self.path}: '{dataset}' is not a dataset")
        if d.dtype.kind not in "fiub":
            raise RunFileError(f"{self.path}: '{dataset}' holds {d.dtype}, not numbers")
        nbytes = int(np.prod(d.shape, dtype=np.float64)) * d.dtype.itemsize
        if nbytes > MAX_READ_BYTES:
            raise RunFileError(f"{self.path}: '{dataset}' declares {d.shape} values ({nbytes >> 20} MiB), "
                               "more than a run file holds (corrupt?)")
        stored = d.id.get_storage_size()
        if nbytes > 2 * stored + (1 << 20):
            raise RunFileError(f"{self.path}: '{dataset}' declares {d.shape} values but stores only {stored} "
                               "bytes (corrupt?)")
        return np.asarray(d[()])

    def epochs(self):
        """{name: 1-D float array} of every /epochs series, validated (see the class)."""
        if self._epochs is None:
            try:
                with h5py.File(self.path, "r") as f:
                    if "epochs" not in f or not isinstance(f["epochs"], h5py.Group):
                        raise RunFileError(f"{self.path}: has no /epochs group")
                    series = {name: self._read_raw(f, f"epochs/{name}") for name in f["epochs"]}
            except RunFileError:
                raise
            except _H5_ERRORS as error:
                raise RunFileError(f"{self.path}: cannot be read as HDF5 ({str(error)[:200]})") from None
            if "epoch" not in series:
                raise RunFileError(f"{self.path}: has no /epochs/epoch")
            for name, values in series.items():
                if values.ndim != 1:
                    raise RunFileError(f"{self.path}: /epochs/{name} has shape {values.shape}, not a series")
                series[name] = values.astype(float)
            n = len(series["epoch"])
            if not np.array_equal(series["epoch"], np.arange(1, n + 1)):
                raise RunFileError(f"{self.path}: /epochs/epoch is not 1, 2, ..., {n} (corrupt?)")
            for name, values in series.items():
                if len(values) != n:
                    raise RunFileError(f"{self.path}: /epochs/{name} has {len(values)} values for {n} epochs "
                                       "(corrupt?)")
                if name in FRACTION_SERIES:
                    finite = values[np.isfinite(values)]
                    if np.isinf(values).any() or ((finite < 0) | (finite > 1)).any():
                        raise RunFileError(f"{self.path}: /epochs/{name} holds values outside [0, 1] (corrupt?)")
            self._epochs = series
        return self._epochs

    def read(self, dataset):
        """A dataset as a numpy array; RunFileError naming the file and the dataset if absent or invalid
        (the /epochs series through epochs(), checked against each other)."""
        if dataset.startswith("epochs/") and dataset.count("/") == 1:
            series = self.epochs()
            name = dataset.split("/", 1)[1]
            if name not in series:
                raise RunFileError(f"{self.path}: has no '{dataset}' (was it recorded? see docs/run-file.md)")
            return series[name]
        try:
            with h5py.File(self.path, "r") as f:
                return self._read_raw(f, dataset)
        except RunFileError:
            raise
        except _H5_ERRORS as error:
            raise RunFileError(f"{self.path}: '{dataset}' cannot be read ({str(error)[:200]})") from None

    def group_attrs(self, group):
        try:
            with h5py.File(self.path, "r") as f:
                if group not in f:
                    raise RunFileError(f"{self.path}: has no group '{group}'")
                out = {}
                for k, v in f[group].attrs.items():
                    text = _text(v, f"{group}.{k}", self.path)
                    if k in ("latents", "shape"):
                        try:
                            out[k] = json.loads(text)
                        except ValueError:
                            raise RunFileError(f"{self.path}: {group}'s {k} attribute is not JSON") from None
                    else:
                        out[k] = text
                return out
        except RunFileError:
            raise
        except _H5_ERRORS as error:
            raise RunFileError(f"{self.path}: cannot be read as HDF5 ({str(error)[:200]})") from None

    def layers(self):
        """Names of the recorded layers, in file order."""
        try:
            with h5py.File(self.path, "r") as f:
                return list(f["layers"].keys()) if "layers" in f and isinstance(f["layers"], h5py.Group) else []
        except _H5_ERRORS as error:
            raise RunFileError(f"{self.path}: cannot be read as HDF5 ({str(error)[:200]})") from None

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
        try:
            q = self.config["model"]["quant"]
            method = q["parametrization"]
            if method != "full_precision":
                method += f" {q['space']} {q['bits']}-bit"
            return f"{method}, {q['init']}, seed {self.config['train']['seed']}"
        except (KeyError, TypeError):
            raise RunFileError(f"{self.path}: its config lacks model.quant or train.seed") from None

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
            try:
                if run.has("epochs/epoch") and len(run.read("epochs/epoch")) == 0:
                    print(f"warning: {run.path.parent} has no finished epoch (status '{run.status}')",
                          file=sys.stderr)
            except RunFileError as error:
                print(f"warning: {error}", file=sys.stderr)
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
