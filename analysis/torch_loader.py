"""Loads an exported denseshift model file (docs/model-format.md) as a PyTorch module, for PyTorch
users: numpy reads the file (analysis.model_file), Debian's python3-torch runs it. The module is the
evaluation-mode network, a real `nn.Module` (issue 28, item 3): each node of the network's graph
(docs/graph.md) is a submodule holding its tensors as parameters (conv and linear weights, exact
float32 powers of two) or buffers (BatchNorm folded to a per-channel scale and bias, PACT levels),
so that `state_dict()` round-trips, `print(net)` shows the layers, `net.double()` converts and
`torch.jit.script(net)` compiles. Any network: the loader interprets the graph the file holds
(format version 2), with head blocks and Theorem-1 conversions (a layer that reads its input twice).

    from analysis.torch_loader import load_module
    net, header = load_module("model.dsm")
    logits = net(images)          # images [N, C, H, W], pixels in [0, 1]: net normalizes them

The header and every tensor are checked against the network before the module is returned (the
same checks as the C++ engine's): a bad file raises ModelFileError, never another exception.

PyTorch is needed only here; the toolkit never imports it.
"""
import math
import re
from typing import Dict, List

import torch
import torch.nn.functional as F
from torch import nn

from .model_file import ModelFileError, integer, read_model

OPS = {"conv": ("out", "kernel", "stride", "padding", "bias", "role"), "linear": ("out", "bias", "role"),
       "batchnorm": (), "activation": ("role",), "max_pool": ("kernel", "stride", "padding"), "avg_pool": (),
       "add": (), "flatten": ()}
ROLES = ("first_conv", "hidden", "classifier")
NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _floats(inp, key, count, positive):
    values = inp.get(key)
    if not isinstance(values, list) or len(values) != count:
        raise ModelFileError(f"input.{key} must list one number per channel ({count})")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > 1e30 \
                or (positive and not v > 0):
            raise ModelFileError(f"input.{key} holds {str(v)[:30]} ({'each > 0' if positive else 'each finite'})")
    return torch.tensor(values, dtype=torch.float32).view(1, -1, 1, 1)


def graph_of(header):
    """(nodes, output) of the header's graph (docs/graph.md), checked as lib/graph's reader checks it:
    ops and keys known, integers in range, names unique (a dotted name's group is no node), inputs
    defined before use. Each node a dict with every attribute filled in."""
    g = header.get("graph")
    if g is None:
        raise ModelFileError("it holds no graph (format version 1, written before 2026-12-02): export its run again "
                             "with this build (denseshift export RUN_DIR --out MODEL)")
    if not isinstance(g, dict) or g.get("format") != "denseshift-graph" or g.get("version") != 1 \
            or isinstance(g.get("version"), bool):
        raise ModelFileError("its graph is not a denseshift-graph of version 1")
    unknown = sorted(set(g) - {"format", "version", "nodes", "output"})
    if unknown:
        raise ModelFileError(f"unknown graph key {unknown[0][:40]!r}")
    raw = g.get("nodes")
    if not isinstance(raw, list) or not raw:
        raise ModelFileError("its graph needs 'nodes': a non-empty list")
    defined, groups, nodes = {"input"}, set(), []
    for i, n in enumerate(raw):
        if not isinstance(n, dict) or not isinstance(n.get("name"), str) or not NAME.fullmatch(n["name"]):
            raise ModelFileError(f"graph node {i} needs a 'name' of letters, digits, '_', '.' and '-'")
        name = n["name"]
        at = f"graph node {name[:60]!r}"
        parts = name.split(".")
        if "" in parts or name in defined or name in groups \
                or any(".".join(parts[:k]) in defined for k in range(1, len(parts))):
            raise ModelFileError(f"{at}: the name is taken (or is a group of another, or has an empty part)")
        groups.update(".".join(parts[:k]) for k in range(1, len(parts)))
        op = n.get("op")
        if op not in OPS:
            raise ModelFileError(f"{at}: unknown op {str(op)[:40]!r} (allowed: {', '.join(OPS)})")
        links = "inputs" if op == "add" else "input"
        extra = sorted(set(n) - {"name", "op", links} - set(OPS[op]))
        if extra:
            raise ModelFileError(f"{at}: unknown key {extra[0][:40]!r} for op {op}")
        if op == "add":
            inputs = n.get("inputs")
            if not isinstance(inputs, list) or len(inputs) != 2 or not all(isinstance(x, str) for x in inputs):
                raise ModelFileError(f"{at}: add needs 'inputs': the names of its two inputs")
        else:
            inputs = [n.get("input", nodes[-1]["name"] if nodes else "input")]
            if not isinstance(inputs[0], str):
                raise ModelFileError(f"{at}: 'input' must be a node name")
        for x in inputs:
            if x not in defined:
                raise ModelFileError(f"{at}: its input {x[:60]!r} is no node before it (nor 'input')")

        def number(key, lo, hi, default):
            v = n.get(key, default)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ModelFileError(f"{at}: {key!r} is {str(v)[:40]}, expected a whole number from {lo} to {hi}")
            return v
        node = dict(name=name, op=op, inputs=inputs, bias=n.get("bias", False), role=n.get("role", "hidden"))
        if op in ("conv", "linear"):
            node["out"] = number("out", 1, 1 << 20, None)
        if op in ("conv", "max_pool"):
            node["kernel"] = number("kernel", 1, 64, None)
            node["stride"] = number("stride", 1, 64, node["kernel"] if op == "max_pool" else 1)
            node["padding"] = number("padding", 0, 64, 0)
        if not isinstance(node["bias"], bool) or node["role"] not in ROLES:
            raise ModelFileError(f"{at}: 'bias' must be true or false and 'role' one of {', '.join(ROLES)}")
        defined.add(name)
        nodes.append(node)
    output = g.get("output", nodes[-1]["name"])
    if not isinstance(output, str) or output not in defined or output == "input":
        raise ModelFileError("the graph's 'output' must name one of its nodes")
    return nodes, output


# The node modules. Each takes its inputs as a list, so that the network's forward can call them
# alike in one loop that TorchScript compiles (it unrolls a loop over a ModuleDict).

class Conv(nn.Module):
    def __init__(self, weight, bias, stride, padding, copies):
        super().__init__()
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)
        self.stride, self.padding, self.copies = stride, padding, copies

    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        x = xs[0] if self.copies == 1 else torch.cat([xs[0]] * self.copies, dim=1)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        out, inp, k, _ = self.weight.shape
        return (f"{inp}->{out}, kernel {k}, stride {self.stride}, padding {self.padding}, bias {self.bias is not None}"
                + (f", input read {self.copies} times" if self.copies > 1 else ""))


class Linear(nn.Module):
    def __init__(self, weight, bias, copies):
        super().__init__()
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)
        self.copies = copies

    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        x = xs[0] if self.copies == 1 else torch.cat([xs[0]] * self.copies, dim=1)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"{self.weight.shape[1]}->{self.weight.shape[0]}, bias {self.bias is not None}"
                + (f", input read {self.copies} times" if self.copies > 1 else ""))


class Affine(nn.Module):
    """BatchNorm in evaluation mode, folded: x * scale + bias per channel."""

    def __init__(self, scale, bias):
        super().__init__()
        self.register_buffer("scale", scale)
        self.register_buffer("bias", bias)

    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        x = xs[0]
        if x.dim() == 4:
            return x * self.scale.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
        return x * self.scale.view(1, -1) + self.bias.view(1, -1)

    def extra_repr(self):
        return f"{self.scale.numel()} channels"


class Activation(nn.Module):
    """A ReLU, or PACT: clip to [0, alpha] and round to the grid of 2^bits - 1 steps."""

    def __init__(self, alpha, bits):
        super().__init__()
        self.pact = alpha is not None
        self.register_buffer("alpha", torch.ones(()) if alpha is None else alpha.reshape(()))
        self.bits = bits

    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        x = xs[0]
        if not self.pact:
            return F.relu(x)
        scale = float(2 ** self.bits - 1) / self.alpha
        return torch.round(torch.where(x >= self.alpha, self.alpha, F.relu(x)) * scale) / scale

    def extra_repr(self):
        return f"pact, {self.bits} bits" if self.pact else "relu"


class MaxPool(nn.Module):
    def __init__(self, kernel, stride, padding):
        super().__init__()
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        return F.max_pool2d(xs[0], self.kernel, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel {self.kernel}, stride {self.stride}, padding {self.padding}"


class AvgPool(nn.Module):
    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        return F.adaptive_avg_pool2d(xs[0], 1)


class Flatten(nn.Module):
    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        return xs[0].flatten(1)


class Add(nn.Module):
    def forward(self, xs: List[torch.Tensor]) -> torch.Tensor:
        return xs[0] + xs[1]


class DenseShiftNet(nn.Module):
    """The network of a model file: its graph's nodes in order, each reading earlier outputs."""

    wiring: List[List[int]]  # per node, the indices of its inputs among the outputs so far (0: the image)
    output: int  # the index of the logits among the outputs
    node_names: List[str]
    stored_bytes: Dict[str, int]
    stored_bits: Dict[str, int]

    def __init__(self, header, tensors):
        super().__init__()
        model, inp = header.get("model"), header.get("input")
        if not isinstance(model, dict) or not isinstance(inp, dict):
            raise ModelFileError("the header has no model or input section")
        self.model_name = str(model.get("name"))[:40]
        integer(model, "head_blocks", 0, 16, "model")  # in the graph; checked as written
        bits = integer(model, "activation_bits", 2, 32, "model")
        if 8 < bits < 32:
            raise ModelFileError(f"model.activation_bits must be 2 to 8 (PACT) or 32 (ReLU), got {bits}")
        classes = integer(inp, "classes", 1, 100000, "input")
        channels = integer(inp, "channels", 1, 64, "input")
        size = integer(inp, "size", 1, 1024, "input")
        if ("mean" in inp) != ("std" in inp):
            raise ModelFileError("input.mean and input.std come together")
        self.normalized = "mean" in inp
        self.register_buffer("mean", _floats(inp, "mean", channels, False) if self.normalized else torch.zeros(1, channels, 1, 1))
        self.register_buffer("std", _floats(inp, "std", channels, True) if self.normalized else torch.ones(1, channels, 1, 1))
        self.input_shape = [channels, size, size]
        # What each tensor takes in the file (packed power-of-two codes, or float32): size accounting.
        self.stored_bytes = {name: int(s["bytes"]) for name, s in header.get("storage", {}).items()}
        self.stored_bits = {name: int(s["bits"]) for name, s in header.get("storage", {}).items()}
        self.classes = classes
        t = {name: torch.from_numpy(value.copy()) for name, value in tensors.items()}
        copies = header.get("input_copies", {})
        for name in copies:
            if t[name].dim() < 2:
                raise ModelFileError(f"tensor {name!r} reads its input twice but is no layer weight")
        self.layers = nn.ModuleDict()
        self.wiring = []
        self.node_names = []
        index = {"input": 0}
        used = set()
        # Each node built and run once on a zero image, so that every tensor's shape is checked
        # against the layer that uses it (as the C++ engine's check_network).
        values = [torch.zeros([1] + self.input_shape)]

        def get(name, shape=None):
            if name not in t:
                raise ModelFileError(f"the model file has no tensor {name!r} (is it a {self.model_name}?)")
            used.add(name)
            value = t[name]
            if shape is not None and tuple(value.shape) != tuple(shape) and not (shape == () and tuple(value.shape) == (1,)):
                raise ModelFileError(f"tensor {name!r} has shape {list(value.shape)}, its layer needs {list(shape)}")
            return value

        nodes, output = graph_of(header)
        for n in nodes:
            name, op, inputs = n["name"], n["op"], n["inputs"]
            xs = [values[index[i]] for i in inputs]
            x = xs[0]
            if op in ("conv", "linear"):
                if x.dim() != (4 if op == "conv" else 2):
                    raise ModelFileError(f"graph node {name!r} ({op}) needs "
                                         + ("an image" if op == "conv" else "a flat input") + f", got {list(x.shape[1:])}")
                w = name + ".weight"
                weight = get(w)
                c = int(copies.get(w, 1))
                width = x.shape[1] * c if op == "conv" else x.flatten(1).shape[1] * c
                if op == "conv" and (weight.dim() != 4 or weight.shape[1] != width):
                    raise ModelFileError(f"tensor {w!r} has shape {list(weight.shape)}, its layer's input has "
                                         f"{width} channels")
                if op == "linear" and (weight.dim() != 2 or weight.shape[1] != width):
                    raise ModelFileError(f"tensor {w!r} has shape {list(weight.shape)}, its layer needs [out, {width}]")
                if weight.shape[0] != n["out"] or (op == "conv" and tuple(weight.shape[2:]) != (n["kernel"],) * 2):
                    raise ModelFileError(f"tensor {w!r} has shape {list(weight.shape)}, its graph node {op} "
                                         + (f"{n['kernel']}x{n['kernel']} " if op == "conv" else "") + f"to {n['out']}")
                bias = get(name + ".bias", (weight.shape[0],)) if n["bias"] else None
                if op == "conv":
                    pad = n["padding"]
                    if x.shape[2] + 2 * pad < weight.shape[2] or x.shape[3] + 2 * pad < weight.shape[3]:
                        raise ModelFileError(f"tensor {w!r} has a kernel larger than its input")
                    module = Conv(weight, bias, n["stride"], pad, c)
                else:
                    module = Linear(weight, bias, c)
            elif op == "batchnorm":
                module = Affine(get(name + ".scale", (x.shape[1],)), get(name + ".bias", (x.shape[1],)))
            elif op == "activation":
                alpha = None
                if name + ".alpha" in t:
                    alpha = get(name + ".alpha", ())
                    level = float(alpha.reshape(-1)[0])
                    if bits == 32:
                        raise ModelFileError(f"tensor {name + '.alpha'!r} is a PACT level, but model.activation_bits is 32")
                    if not (math.isfinite(level) and level > 0):
                        raise ModelFileError(f"tensor {name + '.alpha'!r} is {level}, a PACT level must be finite and > 0")
                module = Activation(alpha, bits)
            elif op == "max_pool":
                k, pad = n["kernel"], n["padding"]
                if x.dim() != 4 or x.shape[2] + 2 * pad < k or x.shape[3] + 2 * pad < k or 2 * pad > k:
                    raise ModelFileError(f"graph node {name!r}: a {k}x{k} max pool (padding {pad}) meets an input of "
                                         f"{list(x.shape[1:])}")
                module = MaxPool(k, n["stride"], pad)
            elif op == "avg_pool":
                module = AvgPool()
            elif op == "flatten":
                module = Flatten()
            else:
                if xs[0].shape != xs[1].shape:
                    raise ModelFileError(f"graph node {name!r} adds {list(xs[0].shape[1:])} to {list(xs[1].shape[1:])}")
                module = Add()
            try:
                with torch.no_grad():
                    values.append(module(xs))
            except (RuntimeError, ValueError, IndexError) as e:
                raise ModelFileError(f"the network cannot run at {name!r}: {str(e)[:200]}") from None
            index[name] = len(values) - 1
            self.layers[name.replace(".", "_")] = module
            self.wiring.append([index[i] for i in inputs])
            self.node_names.append(name)
        self.output = index[output]
        out = values[self.output]
        if tuple(out.shape) != (1, classes):
            raise ModelFileError(f"its classifier gives {out.shape[-1]} outputs, input.classes says {classes}")
        unused = sorted(set(t) - used)
        if unused:
            raise ModelFileError(f"tensor {unused[0][:60]!r} is read by no node of the file's graph")

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = images
        if self.normalized:
            x = (x - self.mean) / self.std
        values: List[torch.Tensor] = [x]
        i = 0
        for layer in self.layers.values():
            args: List[torch.Tensor] = []
            for j in self.wiring[i]:
                args.append(values[j])
            values.append(layer(args))
            i += 1
        return values[self.output]

    def extra_repr(self):
        return f"{self.model_name}, input {self.input_shape}, {self.classes} classes"


def load_module(path):
    """(module in evaluation mode, header) of a model file; raises ModelFileError for a bad file."""
    header, tensors = read_model(path)
    try:
        net = DenseShiftNet(header, tensors)
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None
    net.eval()
    return net, header
