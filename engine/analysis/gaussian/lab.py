"""The Gaussian lab: learned linear encoders against the paper's closed forms (digest §6.0-6.1).

Synthetic pairs with a known covariance (the paper's 2-D example or its 12 x 5 Gaussian-process
example) are fed to the real batch losses of :mod:`engine.losses`; the learned ``A = G^T H`` (and
``B = G^T G``) is compared with the closed-form optimum for the same rank. Three sweeps reproduce
the paper's Figs. 8-10: the conditional-mean errors fall with the latent dimension (up to
min(n_u, n_v)), the batch size (finite batches bias the optimum) and the sample size.

Per setting the lab reports (all expectations exact, from the covariance; not Monte Carlo):

* ``cond_mean_error_u_given_v = E_v |m(v) - E[u|v]|^2`` with the model mean map ``m(v) = C_uu A v``
  (bilinear tilt) or ``(B + C_uu^{-1})^{-1} A v`` (L2 tilt); ``cond_mean_error_v_given_u`` likewise
  (``C_vv A^T u``; not fitted by the one-sided L2 loss, so None there);
* ``whitened_error = ||C_uu^{1/2} (A - A*) C_vv^{1/2}||_F`` and its ratio to ``||C_uu^{1/2} A* C_vv^{1/2}||_F``;
* ``population_loss``: the population loss at the learned A (B) (None if it is infinite: a
  model that is not normalisable), and ``loss_gap`` to the optimal value;
* ``reference``: the same quantities at the closed-form optimum of that rank (the floor the
  learned model should reach). The joint loss's optimum shrinks the conditional means, so its
  floor is above 0 even at full rank; the L2 loss has a closed form only at n_e >= n_u.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.analysis import wording
from engine.analysis.checks import check_real, is_integer
from engine.analysis.gaussian.blocks import CovarianceBlocks, sym_power
from engine.analysis.gaussian.conditionals import (
    conditional_mean_error,
    model_conditional_u_given_v_l2,
    true_conditional_u_given_v,
)
from engine.analysis.gaussian.examples import gp_example, paper_2d_example
from engine.analysis.gaussian.losses import conditional_loss_bilinear, joint_loss_bilinear, l2_one_sided_loss
from engine.analysis.gaussian.optima import (
    bilinear_conditional_optimum,
    canonical_correlations,
    joint_optimum,
    l2_one_sided_optimum,
    mutual_information,
    optimal_conditional_loss,
    optimal_joint_loss,
    optimal_l2_one_sided_loss,
)
from engine.analysis.wording import keyed
from engine.errors import ConfigError

logger = logging.getLogger(__name__)

EXAMPLES = ("2d", "gp")
LOSS_NAMES = ("clip", "joint", "l2-left-given-right")
SWEEPS = ("latent_dim", "batch_size", "sample_size")


def example_blocks(example: str) -> CovarianceBlocks:
    """Covariance of a lab example: ``"2d"`` (paper §5.4) or ``"gp"`` (paper §6.1, 12 x 5)."""
    if example == "2d":
        return paper_2d_example()
    if example == "gp":
        return gp_example()
    raise ConfigError(f"example: got {example!r}; expected one of {', '.join(EXAMPLES)}.")


def _swap(c: CovarianceBlocks) -> CovarianceBlocks:
    return CovarianceBlocks(c.vv, c.uv.T, c.uu)


def _whitened(a: np.ndarray, c: CovarianceBlocks) -> np.ndarray:
    return sym_power(c.uu, 0.5) @ a @ sym_power(c.vv, 0.5)


def _measures(c: CovarianceBlocks, loss: str, a: np.ndarray, b: np.ndarray | None) -> dict[str, Any]:
    """Conditional-mean errors and population loss of a model (A, B) under loss ``loss``."""
    if loss == "l2-left-given-right":
        mean_map, cov = model_conditional_u_given_v_l2(a, b, c)
        return {
            "cond_mean_error_u_given_v": conditional_mean_error(mean_map, c),
            "cond_mean_error_v_given_u": None,
            "cond_cov_error_u_given_v": float(np.linalg.norm(cov - true_conditional_u_given_v(c)[1])),
            "population_loss": l2_one_sided_loss(a, b, c),
        }
    population = conditional_loss_bilinear(a, c) if loss == "clip" else joint_loss_bilinear(a, c)
    return {
        "cond_mean_error_u_given_v": conditional_mean_error(c.uu @ a, c),
        "cond_mean_error_v_given_u": conditional_mean_error(c.vv @ a.T, _swap(c)),
        # Bilinear models keep the marginal covariance C_uu (Cor. 5.2): a floor of ||C_uu - C_{u|v}||.
        "cond_cov_error_u_given_v": float(np.linalg.norm(c.uu - true_conditional_u_given_v(c)[1])),
        "population_loss": population,
    }


def reference_optimum(c: CovarianceBlocks, loss: str, latent_dim: int) -> dict[str, Any]:
    """Closed-form optimum for ``loss`` at embedding dimension ``latent_dim``, with its measures.

    Returns:
        ``{"rank", "exact", "A_star", "B_star", ...measures}``; for the L2 loss below n_e = n_u
        (no closed form) ``exact`` is False and the matrices and measures are None.
    """
    n_u, n_v = c.uv.shape
    rank = min(latent_dim, n_u, n_v)
    sigma = canonical_correlations(*c)
    if loss == "l2-left-given-right":
        if latent_dim < n_u:
            return {"rank": min(latent_dim, n_u), "exact": False, "A_star": None, "B_star": None}
        a_star, b_star = l2_one_sided_optimum(*c)
        out = {"rank": n_u, "exact": True, "A_star": a_star.tolist(), "B_star": b_star.tolist()}
        out.update(_measures(c, loss, a_star, b_star))
        out["population_loss"] = optimal_l2_one_sided_loss(sigma)
        return out
    if loss == "clip":
        a_star, optimum = bilinear_conditional_optimum(*c, rank=rank), optimal_conditional_loss(sigma, rank)
    else:
        a_star, optimum = joint_optimum(*c, rank=rank), optimal_joint_loss(sigma, rank)
    out = {"rank": rank, "exact": True, "A_star": a_star.tolist(), "B_star": None}
    out.update(_measures(c, loss, a_star, None))
    out["population_loss"] = optimum
    return out


def evaluate_learned(c: CovarianceBlocks, loss: str, latent_dim: int, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Measures of a learned (A, B) next to the closed-form reference of the same rank."""
    reference = reference_optimum(c, loss, latent_dim)
    row: dict[str, Any] = {"A_learned": a.tolist(), "B_learned": b.tolist() if loss == "l2-left-given-right" else None}
    row.update(_measures(c, loss, a, b if loss == "l2-left-given-right" else None))
    if not math.isfinite(row["population_loss"]):
        # The joint / L2 population loss is +inf once the model is not normalisable; JSON has no inf.
        row["population_loss"] = None
    if reference["exact"]:
        a_star = np.asarray(reference["A_star"])
        target = float(np.linalg.norm(_whitened(a_star, c)))
        err = float(np.linalg.norm(_whitened(a - a_star, c)))
        row["whitened_error"] = err
        row["relative_whitened_error"] = err / target if target > 0 else None
        loss = row["population_loss"]
        row["loss_gap"] = None if loss is None else loss - reference["population_loss"]
    else:
        row["whitened_error"] = row["relative_whitened_error"] = row["loss_gap"] = None
    row["reference"] = reference
    return row


def _int_list(values: Sequence[int] | None, name: str, minimum: int, allow_none: bool = False) -> list[int | None]:
    if values is None:
        raise ConfigError(f"{name}: got None; pass a tuple (empty to skip this sweep).")
    out: list[int | None] = []
    for value in values:
        if value is None and allow_none:
            out.append(None)
            continue
        if not is_integer(value) or value < minimum:
            extra = " or None (fresh pairs each step)" if allow_none else ""
            raise ConfigError(f"{name}: got {value!r} in {tuple(values)!r}; expected integers >= {minimum}{extra}.")
        out.append(int(value))
    return out


def default_latent_dims(c: CovarianceBlocks, loss: str) -> tuple[int, ...]:
    """1..min(n_u, n_v) for the bilinear losses; a few values up to n_u for the L2 loss."""
    n_u, n_v = c.uv.shape
    if loss == "l2-left-given-right":
        return tuple(sorted({1, max(1, n_u // 4), max(1, n_u // 2), n_u}))
    return tuple(range(1, min(n_u, n_v) + 1))


def run_lab(
    example: str = "2d",
    *,
    loss: str = "clip",
    latent_dims: Sequence[int] | None = None,
    batch_sizes: Sequence[int] = (32, 128, 512),
    sample_sizes: Sequence[int] = (500, 2000, 8000),
    base_latent_dim: int | None = None,
    base_batch_size: int = 256,
    base_sample_size: int | None = None,
    steps: int = 500,
    lr: float = 0.05,
    seed: int = 0,
) -> dict[str, Any]:
    """Train linear encoders with the real losses and compare them with the closed forms.

    Each sweep varies one factor and holds the others at the ``base_*`` values; settings shared
    by sweeps are trained once. Every run uses the same ``seed``, so the sweeps differ only in
    the factor swept. The defaults take about 10-15 s per example and loss on two CPU cores.

    Args:
        example: ``"2d"`` or ``"gp"``.
        loss: ``"clip"`` (dot tilt, weights (1, 1)), ``"joint"`` (dot tilt) or
            ``"l2-left-given-right"`` (L2 tilt, weights (2, 0)).
        latent_dims: n_e values; None = :func:`default_latent_dims`. Empty skips the sweep.
        batch_sizes: Batch sizes (>= 2). Empty skips the sweep.
        sample_sizes: Fixed dataset sizes N (>= 2), trained for ``steps`` steps in shuffled
            epochs. Empty skips the sweep.
        base_latent_dim: n_e held fixed in the other sweeps; None = the largest default n_e.
        base_batch_size: Batch size held fixed in the other sweeps.
        base_sample_size: N held fixed in the other sweeps; None = fresh pairs every step.
        steps: Optimiser steps per run (>= 4; A is averaged over the last quarter).
        lr: Adam's peak learning rate.
        seed: Seed for every run.

    Returns:
        JSON-serialisable dict: ``example``, ``loss``, ``tilt``, ``n_u``, ``n_v``,
        ``canonical_correlations``, ``mutual_information_nats``, ``settings``, ``sweeps``
        (``{"latent_dim": [row, ...], "batch_size": [...], "sample_size": [...]}``, each row with
        its setting, the measures of :func:`evaluate_learned` and ``wall_s``), ``notes`` and
        ``wall_s``.

    Raises:
        ConfigError: Unknown example or loss, or a size out of range.
    """
    from engine.analysis.gaussian.linear_encoders import TrainSetting, train_linear_encoders  # torch only when run

    c = example_blocks(example)
    if loss not in LOSS_NAMES:
        raise ConfigError(f"loss: got {loss!r}; expected one of {', '.join(LOSS_NAMES)}.")
    dims = _int_list(default_latent_dims(c, loss) if latent_dims is None else latent_dims, "latent_dims", 1)
    batches = _int_list(batch_sizes, "batch_sizes", 2)
    samples = _int_list(sample_sizes, "sample_sizes", 2)
    base_dim = max(default_latent_dims(c, loss)) if base_latent_dim is None else base_latent_dim
    (base_dim,) = _int_list([base_dim], "base_latent_dim", 1)
    (base_batch,) = _int_list([base_batch_size], "base_batch_size", 2)
    (base_n,) = _int_list([base_sample_size], "base_sample_size", 2, allow_none=True)
    (steps,) = _int_list([steps], "steps", 4)
    lr = check_real(lr, "lr", low=0.0, high=10.0, expected="a learning rate in (0, 10), e.g. 0.05")
    if not is_integer(seed):
        raise ConfigError(f"seed: got {seed!r}, expected an integer.")

    plan = {
        "latent_dim": [(d, base_batch, base_n) for d in dims],
        "batch_size": [(base_dim, b, base_n) for b in batches],
        "sample_size": [(base_dim, base_batch, n) for n in samples],
    }
    started = time.perf_counter()
    cache: dict[tuple[int, int, int | None], dict[str, Any]] = {}
    sweeps: dict[str, list[dict[str, Any]]] = {}
    for sweep, settings in plan.items():
        sweeps[sweep] = []
        for key in settings:
            if key not in cache:
                t0 = time.perf_counter()
                setting = TrainSetting(key[0], key[1], key[2], steps, float(lr), int(seed))
                a, b = train_linear_encoders(c, loss, setting)
                row = {"latent_dim": key[0], "batch_size": key[1], "sample_size": key[2]}
                row["epochs"] = None if key[2] is None else steps * min(key[1], key[2]) / key[2]
                row.update(evaluate_learned(c, loss, key[0], a, b))
                row["wall_s"] = time.perf_counter() - t0
                cache[key] = row
                logger.info("gaussian lab %s/%s %s: %.3g s", example, loss, key, row["wall_s"])
            sweeps[sweep].append(cache[key])
    sigma = canonical_correlations(*c)
    n_u, n_v = c.uv.shape
    result = {
        "example": example,
        "loss": loss,
        "tilt": "l2" if loss == "l2-left-given-right" else "dot",
        "n_u": n_u,
        "n_v": n_v,
        "canonical_correlations": sigma.tolist(),
        "mutual_information_nats": mutual_information(sigma),
        "settings": {
            "steps": steps,
            "lr": float(lr),
            "seed": int(seed),
            "base_latent_dim": base_dim,
            "base_batch_size": base_batch,
            "base_sample_size": base_n,
        },
        "sweeps": sweeps,
    }
    wording.store(result, "notes", _lab_notes(loss, base_n))
    result["wall_s"] = time.perf_counter() - started
    return result


def _lab_notes(loss: str, base_n: int | None) -> list[dict[str, Any]]:
    """The lab's assumptions, as keyed sentences (:mod:`engine.analysis.wording`)."""
    notes = [keyed("analysis.LAB_NOTE_SETUP"), keyed("analysis.LAB_NOTE_SAMPLE_SIZE"), keyed("analysis.LAB_NOTE_BIAS")]
    if base_n is None:
        notes.append(keyed("analysis.LAB_NOTE_FRESH_PAIRS"))
    if loss == "joint":
        notes.append(keyed("analysis.LAB_NOTE_JOINT"))
    if loss == "l2-left-given-right":
        notes.append(keyed("analysis.LAB_NOTE_L2"))
    return notes
