"""Reads a denseshift model file (docs/model-format.md) with numpy only: the header and every
tensor, packed codes decoded to their float values.

    from analysis.model_file import read_model
    header, tensors = read_model("model.dsm")   # tensors: {name: float32 numpy array}

A weight that reads its input twice over (Theorem-1 conversion, "input_copies": 2) keeps its
doubled shape; header["input_copies"] maps such tensors' names to their copies.

Raises ModelFileError naming the file for anything that is not a valid model file (version 1 or 2), and
for nothing else: a device or pipe (refused before a byte is read), a header that is not JSON or
whose integers are not integers in range, a tensor of a bad shape, encoding or weight space, out of
the file, or of the wrong size, a name that appears twice. Every size is bounded by the file's, so a
hostile header cannot make the reader allocate more than the file holds. What the network makes of
the tensors is checked by analysis.torch_loader, as the C++ engine does.
"""
import json
import os
import stat
import struct
import zlib

import numpy as np

FORMAT_VERSION = 2  # 2 adds the network's graph (the loader needs it); 1 still reads
MAGIC = b"DSMODEL\0"
PREFIX = 20
MAX_HEADER_BYTES = 16 << 20
SPACE_KINDS = ("dense_shift", "shift")
MIN_BITS, MAX_BITS, MAX_ABS_OFFSET = 2, 5, 100


class ModelFileError(Exception):
    pass


def integer(obj, key, lo, hi, where):
    """obj[key] as an int in [lo, hi]; ModelFileError if absent, not an integer (4.5, true) or out of range."""
    if not isinstance(obj, dict) or key not in obj:
        raise ModelFileError(f"{where} has no {key!r}")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ModelFileError(f"{where}'s {key!r} must be an integer from {lo} to {hi}, got {str(value)[:40]}")
    return value


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


def _space(entry, where):
    space = entry.get("space")
    if not isinstance(space, dict):
        raise ModelFileError(f"{where} is packed but has no weight space")
    if space.get("kind") not in SPACE_KINDS:
        raise ModelFileError(f"{where} has the unknown weight space {str(space.get('kind'))[:40]!r} "
                             f"(allowed: {', '.join(SPACE_KINDS)})")
    return {"kind": space["kind"], "bits": integer(space, "bits", MIN_BITS, MAX_BITS, where + "'s space"),
            "exponent_offset": integer(space, "exponent_offset", -MAX_ABS_OFFSET, MAX_ABS_OFFSET, where + "'s space")}


def _read_bytes(path):
    try:
        info = os.stat(path)
    except OSError as e:
        raise ModelFileError(f"{path}: cannot be opened ({e.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(f"{path}: is not a regular file")
    try:
        with open(path, "rb") as f:
            prefix = f.read(PREFIX)
            if len(prefix) < PREFIX or prefix[:8] != MAGIC or info.st_size < PREFIX + 4:
                raise ModelFileError(f"{path}: not a denseshift model file")
            version, header_len = struct.unpack_from("<IQ", prefix, 8)
            if version not in (1, FORMAT_VERSION):
                raise ModelFileError(f"{path}: format version {version}; this reader reads 1 and {FORMAT_VERSION}")
            if header_len > MAX_HEADER_BYTES or PREFIX + header_len + 4 > info.st_size:
                raise ModelFileError(f"{path}: truncated")
            data = prefix + f.read(info.st_size - PREFIX)  # no more than stat said
    except OSError as e:
        raise ModelFileError(f"{path}: cannot be read ({e.strerror})") from None
    if len(data) != info.st_size:
        raise ModelFileError(f"{path}: truncated while read")
    return data, header_len


def read_model(path):
    data, header_len = _read_bytes(path)
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise ModelFileError(f"{path}: checksum mismatch (truncated or corrupt)")
    try:
        header = json.loads(data[PREFIX:PREFIX + header_len])
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ModelFileError(f"{path}: its header is not JSON ({str(e)[:80]})") from None
    if not isinstance(header, dict) or not isinstance(header.get("tensors"), list):
        raise ModelFileError(f"{path}: its header is not an object with a list of tensors")
    start = (PREFIX + header_len + 63) // 64 * 64
    end = len(data) - 4
    if start > end:
        raise ModelFileError(f"{path}: truncated (no room for its tensors)")
    max_count = 4 * len(data)  # 2-bit codes, the densest encoding
    tensors, copies, storage = {}, {}, {}
    for t in header.pop("tensors"):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise ModelFileError(f"{path}: a tensor entry has no name")
        name = t["name"]
        where = f"{path}: tensor {name[:60]!r}"
        if name in tensors:
            raise ModelFileError(f"{where} appears twice")
        shape = t.get("shape")
        if not isinstance(shape, list) or len(shape) > 8:
            raise ModelFileError(f"{where} has a bad shape (a list of at most 8 sizes)")
        count = 1
        for d in shape:
            if isinstance(d, bool) or not isinstance(d, int) or d < 1 or count * d > max_count:
                raise ModelFileError(f"{where} has a bad shape {str(shape)[:60]} (each size an integer of at "
                                     "least 1, no more elements than the file holds)")
            count *= d
        encoding = t.get("encoding")
        if encoding == "float32":
            needed = 4 * count
        elif encoding == "packed":
            space = _space(t, where)
            needed = (count * space["bits"] + 7) // 8
        else:
            raise ModelFileError(f"{where} has an unknown encoding {str(encoding)[:40]!r}")
        offset = integer(t, "offset", 0, end, where)
        size = integer(t, "bytes", 0, end, where)
        if size != needed:
            raise ModelFileError(f"{where} has {size} bytes, its shape needs {needed}")
        if start + offset + size > end:
            raise ModelFileError(f"{where} lies outside the file (truncated?)")
        if "input_copies" in t and integer(t, "input_copies", 1, 2, where) != 1:
            copies[name] = t["input_copies"]
        storage[name] = {"encoding": encoding, "bytes": size,
                         "bits": space["bits"] if encoding == "packed" else 32}
        raw = data[start + offset: start + offset + size]
        if encoding == "float32":
            values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            try:
                values = decode_codes(unpack(raw, count, space["bits"]), space)
            except ModelFileError as e:
                raise ModelFileError(f"{where}: {e}") from None
        tensors[name] = values.reshape(shape)
    header["input_copies"] = copies
    header["storage"] = storage  # per tensor: encoding, bytes in the file, bits a value
    return header, tensors
