"""safetensors for torch state dicts, with torch alone (no `safetensors` package needed).

The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the
raw little-endian tensor bytes. netspec reads and writes it (src/io/safetensors.ts); this file is the torch side.

Convert a pickled checkpoint once (this runs the pickle, so only for files you trust):

    python3 safetensors_io.py resnet50.pth resnet50.safetensors

or from Python: `from safetensors_io import save_file, load_file`. Works on torch 1.13 and 2.x.
"""
import json
import struct
import sys

import torch

_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}
_BY_NAME = {v: k for k, v in _DTYPES.items()}


def save_file(tensors, path, metadata=None):
    """Writes {name: tensor} (contiguous copies, in the given order) as one safetensors file."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    blobs, offset = [], 0
    for name, t in tensors.items():
        data = t.detach().cpu().contiguous().numpy().tobytes() if t.dtype != torch.bfloat16 else \
            t.detach().cpu().contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def load_file(path):
    """Reads a safetensors file into {name: tensor}, checking every offset against the file size."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        raise ValueError(f"{path}: header length {length} exceeds the file")
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"{path}: tensor {name} lies outside the data")
        dtype = _BY_NAME[entry["dtype"]]
        chunk = bytearray(data[begin:end])
        t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(entry["shape"]).clone()
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    state = torch.load(argv[1], map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    save_file({k: v for k, v in state.items() if isinstance(v, torch.Tensor)}, argv[2], {"format": "pt"})
    print(f"wrote {argv[2]} ({len(state)} tensors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
