"""``ContrastiveLoss``: the shared machinery of the paper's losses and the sentence-transformers contract.

sentence-transformers (6.x) has no loss base class; a loss is an ``nn.Module`` that

- stores the model as the child ``model`` (the trainer swaps in its wrapped model there),
- has ``forward(sentence_features, labels)`` that embeds each column with
  ``model(features)["sentence_embedding"]`` and returns a scalar,
- has ``compute_loss_from_embeddings(embeddings, labels)`` for precomputed embeddings,
- optionally reports ``get_config_dict()`` and ``citation`` for the model card.

Our losses follow that contract, so an ST user can pass one to ``SentenceTransformerTrainer``
with a dataset of two text columns (left, right) and optionally a ``label`` column of integer
group ids. Subclasses only define the batch estimator (``functional.py``) and its distributed
form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch
from torch import Tensor, nn

from engine.errors import ConfigError
from engine.losses import distributed
from engine.losses.tilts import check_tilt, default_temperature, similarity_matrix

# A learned temperature is kept in [MIN_TEMPERATURE, MAX_TEMPERATURE]. The lower bound is CLIP's
# cap on its logit scale (100): below it cosine logits span more than 200, the softmax becomes
# one-hot, every gradient except the hardest negative's vanishes and training turns unstable;
# the exp() of dot/l2 scores would also overflow float16/bfloat16 quickly. The upper bound stops
# the scale from collapsing to a uniform softmax where the loss carries no signal.
MIN_TEMPERATURE = 0.01
MAX_TEMPERATURE = 100.0

CITATION = """
@misc{baptista2025mathematical,
      title={A Mathematical Perspective On Contrastive Learning},
      author={Ricardo Baptista and Andrew M. Stuart and Son Tran},
      year={2025},
      eprint={2505.24134},
      archivePrefix={arXiv},
      primaryClass={stat.ML},
      url={https://arxiv.org/abs/2505.24134},
}
"""


class ContrastiveLoss(nn.Module):
    """Base class: a tilt (score function) plus a batch estimator of the paper's loss family.

    Scores are ``S[i, j] = phi(left_i, right_j)`` from :func:`~engine.losses.tilts.similarity_matrix`
    (rows = left items, the paper's u; columns = right items, v; positives on the diagonal).

    Args:
        model: The SentenceTransformer to embed with in :meth:`forward`. ``None`` is fine when only
            :meth:`compute_loss_from_embeddings` is used (our own training loop).
        tilt: ``"cosine"``, ``"dot"`` or ``"l2"``.
        temperature: tau > 0; ``None`` = :func:`~engine.losses.tilts.default_temperature` of the tilt
            (0.05 for cosine, 1.0 otherwise); ``"learn"`` = learned, starting from that default.
        learn_temperature: Learn tau, starting from ``temperature``. Stored like CLIP's logit
            scale as ``log_scale = log(1 / tau)``, so it stays positive and moves multiplicatively,
            and kept in [MIN_TEMPERATURE, MAX_TEMPERATURE] by clamping the stored value before
            each use (as CLIP clamps after each step), which leaves it free to come back from a
            bound. The ST trainer applies weight decay to every loss parameter without "bias" or
            "norm" in its name, which would pull tau towards 1: keep ``weight_decay=0`` or map it.
        gather_across_devices: In data-parallel training, score each process's rows against the
            batch gathered from all processes (more negatives). The loss value then equals the
            single-process loss on the global batch, and DDP's gradient averaging gives the
            single-process gradient. No effect without ``torch.distributed``. A learned
            temperature lives in the loss, which DDP does not wrap, so its gradient is not
            averaged across processes: learn it in single-process runs only.

    Inputs:
        Two columns (left, right), embeddings (B, D) each; optional ``labels`` (B,) of group ids:
        off-diagonal pairs whose rows share a group are dropped from the normalisers as false
        negatives.

    References:
        - Baptista, Stuart, Tran, A Mathematical Perspective On Contrastive Learning, 2025,
          https://arxiv.org/abs/2505.24134
    """

    name = "contrastive"

    def __init__(
        self,
        model: nn.Module | None = None,
        *,
        tilt: str = "cosine",
        temperature: float | str | None = None,
        learn_temperature: bool = False,
        gather_across_devices: bool = False,
    ) -> None:
        super().__init__()
        self.model = model
        self.tilt = check_tilt(tilt)
        self.gather_across_devices = bool(gather_across_devices)
        initial = self._initial_temperature(temperature, tilt)
        self.learn_temperature = bool(learn_temperature) or temperature == "learn"
        if self.learn_temperature:
            if not MIN_TEMPERATURE <= initial <= MAX_TEMPERATURE:
                raise ConfigError(
                    f"loss.temperature: got {initial} with a learned temperature, expected a starting value in "
                    f"[{MIN_TEMPERATURE}, {MAX_TEMPERATURE}] (the range it is kept in)."
                )
            self.log_scale = nn.Parameter(torch.tensor(math.log(1.0 / initial)))
        else:
            self.register_parameter("log_scale", None)
        self._initial_temperature_value = initial

    @staticmethod
    def _initial_temperature(temperature: float | str | None, tilt: str) -> float:
        if temperature is None or temperature == "learn":
            return default_temperature(tilt)
        if isinstance(temperature, str) or isinstance(temperature, bool):
            raise ConfigError(
                f"loss.temperature: got {temperature!r}, expected a positive number (e.g. 0.05) or 'learn'."
            )
        try:
            value = float(temperature)
        except (TypeError, ValueError):
            raise ConfigError(
                f"loss.temperature: got {temperature!r}, expected a positive number (e.g. 0.05) or 'learn'."
            ) from None
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"loss.temperature: got {temperature}, expected a positive finite number (e.g. 0.05).")
        return value

    # --- temperature -----------------------------------------------------------------------------

    def temperature_tensor(self) -> Tensor | float:
        """tau as used in the maths: a 0-dim tensor in the graph when learned, else a float."""
        if self.log_scale is None:
            return self._initial_temperature_value
        with torch.no_grad():
            # .data: the clamp must not count as an in-place change of a tensor autograd saved.
            self.log_scale.data.clamp_(math.log(1.0 / MAX_TEMPERATURE), math.log(1.0 / MIN_TEMPERATURE))
        return torch.exp(-self.log_scale)

    @property
    def temperature(self) -> float:
        """Current tau as a float (for logs, checkpoints' metadata and the model card)."""
        value = self.temperature_tensor()
        return float(value.detach().cpu()) if isinstance(value, Tensor) else float(value)

    # --- metadata (sentence-transformers model card) ---------------------------------------------

    @property
    def weights(self) -> tuple[float, float] | None:
        """``(lambda_u, lambda_v)`` of a conditional loss; ``None`` for the joint loss."""
        return None

    @property
    def citation(self) -> str:
        """BibTeX of the paper the loss family comes from."""
        return CITATION

    def get_config_dict(self) -> dict[str, Any]:
        """JSON-serialisable settings (written to the ST model card and our run config)."""
        weights = self.weights
        return {
            "loss": self.name,
            "tilt": self.tilt,
            "temperature": self.temperature,
            "learn_temperature": self.learn_temperature,
            "weights": list(weights) if weights is not None else None,
            "gather_across_devices": self.gather_across_devices,
        }

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.get_config_dict().items())

    # --- the sentence-transformers contract --------------------------------------------------------

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor | None = None) -> Tensor:
        """Embed each column with ``self.model`` and return the loss (the ST trainer calls this).

        Args:
            sentence_features: One tokenised feature dict per column: (left, right).
            labels: Optional (B,) group ids, or ``None``.
        """
        if self.model is None:
            raise ConfigError(
                f"{type(self).__name__} was built without a model, so it cannot embed sentence features. Pass the "
                "SentenceTransformer as the first argument, or call compute_loss_from_embeddings directly."
            )
        embeddings = [self.model(features)["sentence_embedding"] for features in sentence_features]
        return self.compute_loss_from_embeddings(embeddings, labels)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor], labels: Tensor | None = None) -> Tensor:
        """Loss of a batch of precomputed embeddings.

        Args:
            embeddings: ``[left, right]``, each (B, D); row i of both is a positive pair.
            labels: Optional (B,) group ids; same-group off-diagonal pairs are masked as false
                negatives.

        Returns:
            0-dim loss tensor.

        Raises:
            ConfigError: Not exactly two columns, mismatched shapes, or bad labels.
        """
        left, right = self._check_inputs(embeddings, labels)
        if left.dtype in (torch.float16, torch.bfloat16):
            # Logits of 1/tau = 20 or more keep only ~0.1 absolute precision in bf16, which is the
            # size of the differences the softmax must resolve; the loss costs little next to the
            # encoder, so score and normalise in float32 (gradients flow back in the input dtype).
            left, right = left.float(), right.float()
        temperature = self.temperature_tensor()
        with _autocast_disabled(left.device.type):
            if self.gather_across_devices and distributed.is_distributed():
                return self._gathered_loss(left, right, labels, temperature)
            scores = similarity_matrix(left, right, self.tilt, temperature)  # (B, B)
            mask = None
            if labels is not None:
                mask = labels.unsqueeze(1) == labels.unsqueeze(0)  # (B, B)
                mask.fill_diagonal_(False)
            return self.loss_from_scores(scores, mask)

    def _check_inputs(self, embeddings: list[Tensor], labels: Tensor | None) -> tuple[Tensor, Tensor]:
        if len(embeddings) != 2:
            raise ConfigError(
                f"{type(self).__name__}: got {len(embeddings)} input columns, expected exactly 2 (left, right). "
                "Hard-negative columns are not supported; drop extra columns from the dataset."
            )
        left, right = embeddings
        if left.ndim != 2 or left.shape != right.shape:
            raise ConfigError(
                f"{type(self).__name__}: got left {tuple(left.shape)} and right {tuple(right.shape)}, expected two "
                "(B, D) tensors of the same shape (row i of each is a positive pair)."
            )
        if labels is not None and (labels.ndim != 1 or labels.shape[0] != left.shape[0]):
            raise ConfigError(
                f"{type(self).__name__}: got labels of shape {tuple(labels.shape)}, expected ({left.shape[0]},) "
                "group ids, one per row, or no labels."
            )
        return left, right

    # --- what subclasses define ------------------------------------------------------------------

    def loss_from_scores(self, scores: Tensor, false_negative_mask: Tensor | None = None) -> Tensor:
        """The batch estimator on a full (B, B) score matrix (single process)."""
        raise NotImplementedError

    def _gathered_loss(
        self, left: Tensor, right: Tensor, labels: Tensor | None, temperature: Tensor | float
    ) -> Tensor:
        """The same estimator when each process holds a slice of the global batch."""
        raise NotImplementedError


def _autocast_disabled(device_type: str) -> AbstractContextManager[object]:
    """Turn off mixed precision (which would run the score matmul in bf16) inside the loss."""
    try:
        return torch.autocast(device_type=device_type, enabled=False)
    except (RuntimeError, ValueError):  # a device type autocast does not know has no autocast to undo
        return nullcontext()


def gathered_batch(
    left: Tensor, right: Tensor, labels: Tensor | None, *, need_left: bool = True
) -> tuple[Tensor | None, Tensor, Tensor, Tensor | None]:
    """Gather the columns (with gradients) and the group labels across processes.

    Args:
        left: This process's left embeddings (b, D).
        right: This process's right embeddings (b, D).
        labels: This process's group ids (b,), or ``None``.
        need_left: Gather the left column too (``left_all`` is ``None`` otherwise).

    Returns:
        ``(left_all, right_all, positives, exclude)``: the global (N, D) columns; the (b,) global
        indices of this process's rows (their positives' columns); and the (b, N) bool mask of
        same-group pairs between local rows and global rows (``None`` without labels).
    """
    sizes = distributed.gather_sizes(left.shape[0], left.device)
    offset = sum(sizes[: distributed.rank()])
    left_all = distributed.all_gather_with_grad(left) if need_left else None  # (N, D)
    right_all = distributed.all_gather_with_grad(right)  # (N, D)
    positives = torch.arange(offset, offset + left.shape[0], device=left.device)  # (b,)
    exclude = None
    if labels is not None:
        labels_all = distributed.all_gather(labels)  # (N,)
        exclude = labels.unsqueeze(1) == labels_all.unsqueeze(0)  # (b, N)
    return left_all, right_all, positives, exclude
