"""Loads an exported denseshift model file (docs/model-format.md) as a plain PyTorch module, for
PyTorch users: numpy reads the file (analysis.model_file), Debian's python3-torch runs it. The
module is the evaluation-mode network: power-of-two weights as float32 (exact), BatchNorm as its
folded per-channel scale and bias, ReLU or PACT activations; `lenet` and `resnet20`, with head
blocks and Theorem-1 conversions (a layer that reads its input twice).

    from analysis.torch_loader import load_module
    net, header = load_module("model.dsm")
    logits = net(images)          # images [N, C, H, W], pixels in [0, 1]: net normalizes them

The header and every tensor are checked against the network before the module is returned (the
same checks as the C++ engine's): a bad file raises ModelFileError, never another exception.

PyTorch is needed only here; the toolkit never imports it.
"""
import math

import torch
import torch.nn.functional as F

from .model_file import ModelFileError, integer, read_model

MODELS = ("lenet", "resnet20")


def _floats(inp, key, count, positive):
    values = inp.get(key)
    if not isinstance(values, list) or len(values) != count:
        raise ModelFileError(f"input.{key} must list one number per channel ({count})")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > 1e30 \
                or (positive and not v > 0):
            raise ModelFileError(f"input.{key} holds {str(v)[:30]} ({'each > 0' if positive else 'each finite'})")
    return torch.tensor(values, dtype=torch.float32).view(1, -1, 1, 1)


class _Net(torch.nn.Module):
    def __init__(self, header, tensors):
        super().__init__()
        model, inp = header.get("model"), header.get("input")
        if not isinstance(model, dict) or not isinstance(inp, dict):
            raise ModelFileError("the header has no model or input section")
        self.name = model.get("name")
        if self.name not in MODELS:
            raise ModelFileError(f"the PyTorch loader builds lenet and resnet20, not {str(self.name)[:40]}")
        self.heads = integer(model, "head_blocks", 0, 16, "model")
        self.bits = integer(model, "activation_bits", 2, 32, "model")
        if 8 < self.bits < 32:
            raise ModelFileError(f"model.activation_bits must be 2 to 8 (PACT) or 32 (ReLU), got {self.bits}")
        self.classes = integer(inp, "classes", 1, 100000, "input")
        self.channels = integer(inp, "channels", 1, 64, "input")
        self.size = integer(inp, "size", 1, 1024, "input")
        if ("mean" in inp) != ("std" in inp):
            raise ModelFileError("input.mean and input.std come together")
        self.mean = _floats(inp, "mean", self.channels, False) if "mean" in inp else None
        self.std = _floats(inp, "std", self.channels, True) if "std" in inp else None
        self.copies = header.get("input_copies", {})
        self.t = {name: torch.from_numpy(value) for name, value in tensors.items()}
        self._used = None
        self._check()

    # The network walked once on a zero image with every shape checked against the layer that uses it
    # (as the C++ engine's check_network): a tensor of the wrong shape, a missing or unused one, or a
    # classifier whose rows are not input.classes is a ModelFileError, never a silent broadcast.
    def _check(self):
        self._used = set()
        try:
            with torch.no_grad():
                out = self.forward(torch.zeros(1, self.channels, self.size, self.size))
        except (RuntimeError, ValueError, IndexError) as e:
            raise ModelFileError(f"the network cannot run: {str(e)[:200]}") from None
        finally:
            used, self._used = self._used, None
        if tuple(out.shape) != (1, self.classes):
            raise ModelFileError(f"its classifier gives {out.shape[-1]} outputs, input.classes says {self.classes}")
        unused = sorted(set(self.t) - used)
        if unused:
            raise ModelFileError(f"tensor {unused[0][:60]!r} is not part of a {self.name} with {self.heads} head block(s)")
        for name in self.copies:
            if self.t[name].dim() < 2:
                raise ModelFileError(f"tensor {name!r} reads its input twice but is no layer weight")

    def _get(self, name, shape=None):
        if name not in self.t:
            raise ModelFileError(f"the model file has no tensor {name!r} (is it a {self.name}?)")
        if self._used is not None:
            self._used.add(name)
        value = self.t[name]
        if shape is not None and tuple(value.shape) != tuple(shape) and not (shape == () and tuple(value.shape) == (1,)):
            raise ModelFileError(f"tensor {name!r} has shape {list(value.shape)}, its layer needs {list(shape)}")
        return value

    def _bias(self, layer, rows):
        return self._get(layer + ".bias", (rows,)) if layer + ".bias" in self.t else None

    def _input(self, x, weight):
        return torch.cat([x] * self.copies.get(weight, 1), dim=1)

    def conv(self, x, layer, stride, padding):
        w = layer + ".weight"
        x = self._input(x, w)
        weight = self._get(w)
        if weight.dim() != 4 or weight.shape[1] != x.shape[1]:
            raise ModelFileError(f"tensor {w!r} has shape {list(weight.shape)}, its layer's input has "
                                 f"{x.shape[1]} channels")
        if x.shape[2] + 2 * padding < weight.shape[2] or x.shape[3] + 2 * padding < weight.shape[3]:
            raise ModelFileError(f"tensor {w!r} has a kernel larger than its input")
        return F.conv2d(x, weight, self._bias(layer, weight.shape[0]), stride, padding)

    def linear(self, x, layer):
        w = layer + ".weight"
        x = self._input(x.flatten(1), w)
        weight = self._get(w)
        if weight.dim() != 2 or weight.shape[1] != x.shape[1]:
            raise ModelFileError(f"tensor {w!r} has shape {list(weight.shape)}, its layer needs [out, {x.shape[1]}]")
        return F.linear(x, weight, self._bias(layer, weight.shape[0]))

    def affine(self, x, bn):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        channels = (x.shape[1],)
        return x * self._get(bn + ".scale", channels).view(shape) + self._get(bn + ".bias", channels).view(shape)

    def act(self, x, name):
        if name + ".alpha" not in self.t:
            return F.relu(x)
        alpha = self._get(name + ".alpha", ())
        if self._used is not None:
            if self.bits == 32:
                raise ModelFileError(f"tensor {name + '.alpha'!r} is a PACT level, but model.activation_bits is 32")
            if not (math.isfinite(float(alpha.reshape(-1)[0])) and float(alpha.reshape(-1)[0]) > 0):
                raise ModelFileError(f"tensor {name + '.alpha'!r} is {float(alpha.reshape(-1)[0])}, a PACT level "
                                     "must be finite and > 0")
        alpha = alpha.reshape(())
        scale = float(2 ** self.bits - 1) / alpha  # PACT: clip to [0, alpha], round to the grid
        return torch.round(torch.where(x >= alpha, alpha, F.relu(x)) * scale) / scale

    def pool(self, x):
        if x.shape[2] < 2 or x.shape[3] < 2:
            raise ModelFileError(f"a 2x2 max pool meets a {x.shape[2]}x{x.shape[3]} input (input.size too small)")
        return F.max_pool2d(x, 2)

    def head_blocks(self, x, conv):
        for i in range(1, self.heads + 1):
            x = self.conv(x, f"head{i}_conv", 1, 1) if conv else self.linear(x, f"head{i}_fc")
            x = self.act(self.affine(x, f"head{i}_bn"), f"head{i}_act")
        return x

    def forward(self, images):
        x = images if self.mean is None else (images - self.mean) / self.std
        if self.name == "lenet":
            x = self.pool(self.act(self.affine(self.conv(x, "conv1", 1, 2), "bn1"), "act1"))
            x = self.pool(self.act(self.affine(self.conv(x, "conv2", 1, 0), "bn2"), "act2"))
            x = self.act(self.affine(self.linear(x, "fc1"), "bn3"), "act3")
            x = self.act(self.affine(self.linear(x, "fc2"), "bn4"), "act4")
            return self.linear(self.head_blocks(x, conv=False), "classifier")
        x = self.act(self.affine(self.conv(x, "stem", 1, 1), "stem_bn"), "stem_act")
        for s in (1, 2, 3):
            for b in (0, 1, 2):
                p = f"stage{s}_{b}."
                stride = 2 if s > 1 and b == 0 else 1
                h = self.act(self.affine(self.conv(x, p + "conv1", stride, 1), p + "bn1"), p + "act1")
                h = self.affine(self.conv(h, p + "conv2", 1, 1), p + "bn2")
                if p + "shortcut_conv.weight" in self.t:
                    x = self.affine(self.conv(x, p + "shortcut_conv", stride, 0), p + "shortcut_bn")
                if h.shape != x.shape:
                    raise ModelFileError(f"{p}conv2's output {list(h.shape)} cannot be added to the block's "
                                         f"shortcut {list(x.shape)}")
                x = self.act(h + x, p + "act_out")
        x = self.head_blocks(x, conv=True)
        return self.linear(F.adaptive_avg_pool2d(x, 1), "classifier")


def load_module(path):
    """(module in evaluation mode, header) of a model file; raises ModelFileError for a bad file."""
    header, tensors = read_model(path)
    try:
        net = _Net(header, tensors)
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None
    net.eval()
    return net, header
