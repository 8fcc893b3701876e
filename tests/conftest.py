"""Shared fixtures. Tests never download: the hub is switched off before any HF import."""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "sample_data" / "catalogue.csv"

COLOURS = ["red", "blue", "green", "black", "white", "grey", "yellow", "pink"]
ITEMS = ["shirt", "mug", "lamp", "chair", "kettle", "backpack", "sneaker", "towel", "blanket", "pen"]
MATERIALS = ["cotton", "steel", "oak", "wool", "ceramic", "leather"]
SIZES = ["small", "medium", "large"]


def toy_rows(n: int = 80, seed: int = 0) -> list[dict[str, str]]:
    """Synthetic title/description pairs with learnable word overlap and a product id per row."""
    rng = random.Random(seed)
    seen: set[tuple[str, str, str, str]] = set()
    rows = []
    while len(rows) < n:
        key = (rng.choice(COLOURS), rng.choice(ITEMS), rng.choice(MATERIALS), rng.choice(SIZES))
        if key in seen:
            continue
        seen.add(key)
        colour, item, material, size = key
        rows.append(
            {
                "product_id": f"P{len(rows):04d}",
                "category": item,
                "title": f"{colour} {material} {item} {size}",
                "description": f"a {size} {item} made of {material} in {colour}",
            }
        )
    return rows


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """Rows as the UTF-8 bytes of a CSV file with a header (what a browser uploads)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows (dicts with the same keys) as a UTF-8 CSV with a header."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def build_comparison(folder: Path, model_dir: Path, rows: list[dict[str, str]] | None = None,
                     extra_args: tuple[str, ...] = (), bootstrap: int = 100) -> Path:
    """A store holding a finished clip-vs-joint comparison of ``rows`` (toy pairs) with ``model_dir``."""
    from engine.cli import main

    data = write_csv(folder / "pairs.csv", rows or toy_rows())
    store = folder / "store"
    assert main(["compare", str(data), "--losses", "clip,joint", "--epochs", "1", "--model", str(model_dir),
                 "--max-seq-length", "32", "--batch-size", "8", "--device", "cpu", "--latent-map", "pca",
                 "--bootstrap", str(bootstrap), *extra_args, "--out", str(store)]) == 0
    return store


@pytest.fixture
def toy_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "pairs.csv", toy_rows())


def _build_tiny_model(folder: Path) -> Path:
    """A 2-layer, 32-wide BERT with a word-level vocabulary, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = sorted(set(COLOURS + ITEMS + MATERIALS + SIZES + "a made of in".split()))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    raw = folder / "hf"
    raw.mkdir(parents=True)
    # A WordPiece tokenizer over our own word list (built directly: no vocabulary download).
    backend = Tokenizer(models.WordPiece(vocab={w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64,
                        initializer_range=0.1)  # distinct token vectors, so a few steps visibly learn
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    transformer = Transformer(str(raw), max_seq_length=32)
    pooling = Pooling(transformer.get_embedding_dimension() if hasattr(transformer, "get_embedding_dimension")
                      else transformer.get_word_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling], device="cpu")
    out = folder / "st"
    model.save(str(out))
    return out


@pytest.fixture(scope="session")
def toy_comparison_store(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """One tiny-model comparison shared by the page tests. Read-only: copy it before changing it."""
    return build_comparison(tmp_path_factory.mktemp("toy_comparison"), tiny_model_dir, bootstrap=200)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny_model(tmp_path_factory.mktemp("tiny_model"))
