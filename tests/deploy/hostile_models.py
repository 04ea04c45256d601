"""Hostile model files (issue 27): a valid model file's header edited in ways a broken or malicious
writer could, each written anew with a valid CRC so the checksum does not catch it. Used by
tests/deploy/test_hostile_models.py, and to write the seed corpus of the C++ fuzz target:

    /usr/bin/python3 tests/deploy/hostile_models.py MODEL.dsm tests/fuzz/corpus/modelfile
"""
import copy
import json
import pathlib
import random
import struct
import sys
import zlib

PREFIX = 20


def split(data):
    """(header dict, tensor bytes) of a model file."""
    (length,) = struct.unpack_from("<Q", data, 12)
    start = (PREFIX + length + 63) // 64 * 64
    return json.loads(data[PREFIX:PREFIX + length]), data[start:-4]


def build(header, body, version=2):
    """A model file of `header` (a dict, or raw bytes) and tensor bytes `body`, its CRC valid."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    out = bytearray(b"DSMODEL\0" + struct.pack("<IQ", version, len(text)) + text)
    out += b"\0" * (-len(out) % 64)
    out += body
    return bytes(out + struct.pack("<I", zlib.crc32(out)))


def entry(header, name):
    return next(t for t in header["tensors"] if t["name"] == name)


def _edit(fn):
    def make(header):
        h = copy.deepcopy(header)
        fn(h)
        return h
    return make


def _shape(name, shape):
    return _edit(lambda h: entry(h, name).update(shape=shape))


# name -> edit of the header of a LeNet with PACT activations (lenet_pact in the tests). Each one
# crashed, over-read, over-allocated or ran with a wrong answer before the checks of issue 27.
EDITS = {
    "zero-row-layer": _edit(lambda h: entry(h, "fc1.weight").update(shape=[0, 64], bytes=0)),
    "scalar-conv-weight": _edit(lambda h: entry(h, "conv1.weight").update(shape=[], bytes=4)),
    "zero-row-classifier": _edit(lambda h: entry(h, "classifier.weight").update(shape=[0, 84], bytes=0)),
    "negative-classes": _edit(lambda h: h["input"].update(classes=-4)),
    "fewer-classes-than-rows": _edit(lambda h: h["input"].update(classes=2)),
    "empty-batchnorm-scale": _edit(lambda h: entry(h, "bn2.scale").update(shape=[0], bytes=0)),
    "short-batchnorm-scale": _edit(lambda h: entry(h, "bn2.scale").update(shape=[1], bytes=4)),
    "short-classifier-bias": _edit(lambda h: entry(h, "classifier.bias").update(shape=[1], bytes=4)),
    "empty-pact-alpha": _edit(lambda h: entry(h, "act2.alpha").update(shape=[0], bytes=0)),
    "negative-offset": _edit(lambda h: entry(h, "bn2.scale").update(offset=-64)),
    "fractional-offset": _edit(lambda h: entry(h, "bn2.scale").update(offset=0.5)),
    "unknown-weight-space": _edit(lambda h: entry(h, "conv2.weight")["space"].update(kind="ternary")),
    "fractional-bits": _edit(lambda h: entry(h, "conv2.weight")["space"].update(bits=3.5)),
    "activation-bits-2-to-40": _edit(lambda h: h["model"].update(activation_bits=2 ** 40)),
    "activation-bits-fractional": _edit(lambda h: h["model"].update(activation_bits=4.5)),
    "activation-bits-40": _edit(lambda h: h["model"].update(activation_bits=40)),
    "head-blocks-fractional": _edit(lambda h: h["model"].update(head_blocks=1.5)),
    "huge-input-size": _edit(lambda h: h["input"].update(size=1 << 20)),
    "overflowing-shape": _edit(lambda h: entry(h, "fc1.weight").update(shape=[2 ** 32, 2 ** 32, 2 ** 32])),
    "duplicate-name": _edit(lambda h: entry(h, "bn1.scale").update(name="bn2.scale")),
    "unused-tensor": _edit(lambda h: h["tensors"].append(dict(entry(h, "bn1.scale"), name="extra.scale"))),
    "bad-input-copies": _edit(lambda h: entry(h, "conv2.weight").update(input_copies=7)),
    "tensors-not-a-list": _edit(lambda h: h.update(tensors={"a": 1})),
    "graph-missing": _edit(lambda h: h.pop("graph")),
    "graph-unknown-op": _edit(lambda h: h["graph"]["nodes"][1].update(op="dropout")),
    "graph-unknown-key": _edit(lambda h: h["graph"]["nodes"][1].update(momentum=0.1)),
    "graph-conv-of-another-width": _edit(lambda h: h["graph"]["nodes"][4].update(out=12)),
    "graph-huge-kernel": _edit(lambda h: h["graph"]["nodes"][4].update(kernel=60)),
    "graph-fractional-stride": _edit(lambda h: h["graph"]["nodes"][4].update(stride=1.5)),
    "graph-undefined-input": _edit(lambda h: h["graph"]["nodes"][2].update(input="bn9")),
    "graph-classifier-not-output": _edit(lambda h: h["graph"].update(output="fc2")),
    "graph-a-list": _edit(lambda h: h.update(graph=[1, 2])),
}


def variants(data):
    """name -> hostile model file made from the valid model file `data`."""
    header, body = split(data)
    out = {name: build(edit(header), body) for name, edit in EDITS.items()}
    out["header-not-json"] = build(b"{\"tensors\": [" + b"\xff" * 8, body)
    out["header-a-list"] = build(b"[1, 2, 3]", body)
    return out


def mutate(data, rng):
    """One random mutation of a valid model file, its CRC recomputed: a header value replaced by a
    hostile one, a key removed, or a few bytes of the header or the tensors flipped."""
    header, body = split(data)
    choice = rng.randrange(3)
    if choice == 0:  # a value somewhere in the header replaced
        paths = []

        def walk(node, path):
            if isinstance(node, dict):
                for k, v in node.items():
                    paths.append(path + [k])
                    walk(v, path + [k])
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    paths.append(path + [i])
                    walk(v, path + [i])
        walk(header, [])
        path = rng.choice(paths)
        node = header
        for k in path[:-1]:
            node = node[k]
        hostile = [0, -1, 1, 2 ** 31, 2 ** 63, -2 ** 63, 0.5, 1e308, None, True, "", "x", [], {}, [0], [2 ** 40],
                   [1, 1, 1, 1, 1, 1, 1, 1, 1], float("nan")]
        if rng.random() < 0.2 and isinstance(node, dict):
            del node[path[-1]]
        else:
            node[path[-1]] = rng.choice(hostile)
        try:
            return build(json.dumps(header).encode(), body)
        except ValueError:
            return build(header, body)
    raw = bytearray(build(header, body)[:-4])
    lo = PREFIX if choice == 1 else len(raw) - len(body)
    for _ in range(rng.randint(1, 8)):
        raw[rng.randrange(lo, len(raw))] = rng.randrange(256)
    return bytes(raw + struct.pack("<I", zlib.crc32(raw)))


if __name__ == "__main__":
    source, folder = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    (folder / "valid-lenet-pact.dsm").write_bytes(data)
    for name, bytes_ in variants(data).items():
        (folder / f"{name}.dsm").write_bytes(bytes_)
    print(f"wrote {len(EDITS) + 3} files to {folder}")
