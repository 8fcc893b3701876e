"""Names of the files inside a run directory (the engine ↔ dashboard contract; see README)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Files at the top of a store (one home: every reader and writer imports these names).
INDEX_FILE = "index.json"
COMPARISON_FILE = "comparison.json"          # the store's latest comparison (compare / the job worker)
LEARNING_CURVE_FILE = "learning_curve.json"  # the store's latest learning curve
ROBUSTNESS_FILE = "robustness.json"          # the store's latest robustness-to-noisy-pairs study
CHECKPOINT_FILE = "state.pt"                # a run's resumable training state, inside its checkpoint folder
CLASSIFICATION_PART = "classification"      # the analysis part a run with labels writes after training


@dataclass(frozen=True)
class RunPaths:
    """Paths of one run directory."""

    root: Path

    @property
    def run_id(self) -> str:
        return self.root.name

    @property
    def config(self) -> Path:
        return self.root / "config.json"

    @property
    def status(self) -> Path:
        return self.root / "status.json"

    @property
    def train_log(self) -> Path:
        return self.root / "train_log.jsonl"

    @property
    def split(self) -> Path:
        return self.root / "split.json"

    @property
    def test_pairs(self) -> Path:
        return self.root / "test_pairs.json"

    @property
    def analysis(self) -> Path:
        return self.root / "analysis"

    def analysis_file(self, part: str) -> Path:
        """The JSON file of one evidence part (``analysis/<part>.json``; ``part`` as in ``analysis/index.json``)."""
        return self.analysis / f"{part}.json"

    @property
    def analysis_index(self) -> Path:
        """``analysis/index.json``: which evidence parts were computed."""
        return self.analysis / INDEX_FILE

    @property
    def audit(self) -> Path:
        return self.root / "audit.json"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.json"

    @property
    def ranks(self) -> Path:
        return self.root / "ranks.npz"

    @property
    def embeddings(self) -> Path:
        return self.root / "embeddings.npz"

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def checkpoint(self) -> Path:
        return self.root / "checkpoint"
