"""Loads an exported denseshift model file (docs/model-format.md) as a plain PyTorch module, for
PyTorch users: numpy reads the file (analysis.model_file), Debian's python3-torch runs it. The
module is the evaluation-mode network: power-of-two weights as float32 (exact), BatchNorm as its
folded per-channel scale and bias, ReLU or PACT activations; `lenet` and `resnet20`, with head
blocks and Theorem-1 conversions (a layer that reads its input twice).

    from analysis.torch_loader import load_module
    net, header = load_module("model.dsm")
    logits = net(images)          # images [N, C, H, W], pixels in [0, 1]: net normalizes them

PyTorch is needed only here; the toolkit never imports it.
"""
import torch
import torch.nn.functional as F

from .model_file import ModelFileError, read_model


class _Net(torch.nn.Module):
    def __init__(self, header, tensors):
        super().__init__()
        self.name = header["model"]["name"]
        if self.name not in ("lenet", "resnet20"):
            raise ModelFileError(f"the PyTorch loader builds lenet and resnet20, not {self.name}")
        self.heads = header["model"]["head_blocks"]
        self.bits = header["model"]["activation_bits"]
        self.copies = header.get("input_copies", {})
        self.t = {name: torch.from_numpy(value) for name, value in tensors.items()}
        inp = header["input"]
        self.mean = torch.tensor(inp["mean"]).view(1, -1, 1, 1) if "mean" in inp else None
        self.std = torch.tensor(inp["std"]).view(1, -1, 1, 1) if "std" in inp else None

    def _input(self, x, weight):
        return torch.cat([x] * self.copies.get(weight, 1), dim=1)

    def conv(self, x, layer, stride, padding):
        w = layer + ".weight"
        return F.conv2d(self._input(x, w), self.t[w], self.t.get(layer + ".bias"), stride, padding)

    def linear(self, x, layer):
        w = layer + ".weight"
        return F.linear(self._input(x.flatten(1), w), self.t[w], self.t.get(layer + ".bias"))

    def affine(self, x, bn):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return x * self.t[bn + ".scale"].view(shape) + self.t[bn + ".bias"].view(shape)

    def act(self, x, name):
        alpha = self.t.get(name + ".alpha")
        if alpha is None:
            return F.relu(x)
        scale = float(2 ** self.bits - 1) / alpha  # PACT: clip to [0, alpha], round to the grid
        return torch.round(torch.where(x >= alpha, alpha, F.relu(x)) * scale) / scale

    def head_blocks(self, x, conv):
        for i in range(1, self.heads + 1):
            x = self.conv(x, f"head{i}_conv", 1, 1) if conv else self.linear(x, f"head{i}_fc")
            x = self.act(self.affine(x, f"head{i}_bn"), f"head{i}_act")
        return x

    def forward(self, images):
        x = images if self.mean is None else (images - self.mean) / self.std
        if self.name == "lenet":
            x = F.max_pool2d(self.act(self.affine(self.conv(x, "conv1", 1, 2), "bn1"), "act1"), 2)
            x = F.max_pool2d(self.act(self.affine(self.conv(x, "conv2", 1, 0), "bn2"), "act2"), 2)
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
                x = self.act(h + x, p + "act_out")
        x = self.head_blocks(x, conv=True)
        return self.linear(F.adaptive_avg_pool2d(x, 1), "classifier")


def load_module(path):
    """(module in evaluation mode, header) of a model file; raises ModelFileError for a bad file."""
    header, tensors = read_model(path)
    net = _Net(header, tensors)
    net.eval()
    return net, header
