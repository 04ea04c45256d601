"""Reads a denseshift model file (docs/model-format.md) with numpy only: the header and every
tensor, packed codes decoded to their float values.

    from analysis.model_file import read_model
    header, tensors = read_model("model.dsm")   # tensors: {name: float32 numpy array}

A weight that reads its input twice over (Theorem-1 conversion, "input_copies": 2) keeps its
doubled shape; header["input_copies"] maps such tensors' names to their copies.

Raises ModelFileError naming the file for anything that is not a valid version-1 model file.
"""
import json
import struct
import zlib

import numpy as np

FORMAT_VERSION = 1
MAGIC = b"DSMODEL\0"


class ModelFileError(Exception):
    pass


def decode_codes(codes, space):
    """Values of sign-magnitude codes in a weight space {kind, bits, exponent_offset}."""
    bits, offset, shift = space["bits"], space["exponent_offset"], space["kind"] == "shift"
    sign = (codes >> (bits - 1)) & 1
    magnitude = codes & ((1 << (bits - 1)) - 1)
    if shift and np.any((magnitude == 0) & (sign == 1)):
        raise ModelFileError("a negative zero code, invalid on the shift space")
    exponent = offset + magnitude - (1 if shift else 0)
    values = np.ldexp(1.0, exponent.astype(np.int32)) * np.where(sign == 1, -1.0, 1.0)
    if shift:
        values = np.where(magnitude == 0, 0.0, values)
    return values.astype(np.float32)


def unpack(raw, count, bits):
    """N-bit codes of a little-endian bit stream."""
    stream = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[: count * bits]
    weights = (1 << np.arange(bits)).astype(np.int64)
    return stream.reshape(count, bits).astype(np.int64) @ weights


def read_model(path):
    data = open(path, "rb").read()
    if len(data) < 24 or data[:8] != MAGIC:
        raise ModelFileError(f"{path}: not a denseshift model file")
    version, header_len = struct.unpack_from("<IQ", data, 8)
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: format version {version}; this reader reads {FORMAT_VERSION}")
    if 20 + header_len + 4 > len(data):
        raise ModelFileError(f"{path}: truncated")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise ModelFileError(f"{path}: checksum mismatch (truncated or corrupt)")
    header = json.loads(data[20:20 + header_len])
    start = (20 + header_len + 63) // 64 * 64
    tensors = {}
    header["input_copies"] = {t["name"]: t["input_copies"] for t in header["tensors"] if t.get("input_copies", 1) != 1}
    for t in header.pop("tensors"):
        raw = data[start + t["offset"]: start + t["offset"] + t["bytes"]]
        count = int(np.prod(t["shape"], dtype=np.int64))
        if t["encoding"] == "float32":
            values = np.frombuffer(raw, dtype="<f4").copy()
        elif t["encoding"] == "packed":
            values = decode_codes(unpack(raw, count, t["space"]["bits"]), t["space"])
        else:
            raise ModelFileError(f"{path}: tensor {t['name']} has an unknown encoding {t['encoding']}")
        if values.size != count:
            raise ModelFileError(f"{path}: tensor {t['name']} has {values.size} values, its shape needs {count}")
        tensors[t["name"]] = values.reshape(t["shape"])
    return header, tensors
