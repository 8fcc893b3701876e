"""Per-query drill-down: base against tuned top-k, the true item's rank movement, biggest wins and losses.

Everything is computed on stored test-split embeddings (never re-encoded) and returned as indices into
the test split, so the stored JSON stays small; :func:`attach_texts` adds the texts of the shown
examples only. Scoring and ranks come from :mod:`engine.evaluate`, so a query's rank here is exactly
the one behind the run's recall and MRR: the rank of the best-ranked item of the query's group, with
ties counted against the model. The top-k lists break ties by the lower gallery index, so when scores
tie, the listed order and the rank can disagree by the tied items.

Direction ``"left_to_right"`` uses left items as queries and all right items as the gallery;
``"right_to_left"`` the reverse. Call once per direction.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from engine.analysis import wording
from engine.analysis.checks import check_direction, check_int
from engine.analysis.wording import keyed
from engine.errors import DataError
from engine.evaluate import first_relevant_ranks, per_query_topk
from engine.evaluate.scoring import ArrayLike, check_tilt
from engine.names import DIRECTION_SIDES

logger = logging.getLogger(__name__)


def _check_int(value: Any, name: str, minimum: int, example: str) -> int:
    return check_int(value, f"drilldown.{name}", minimum=minimum, expected=f"an integer >= {minimum} ({example})")


def _scores_list(values: np.ndarray) -> list[list[float]]:
    # str() of a float32 is its shortest round-trip form, so the JSON holds 0.8125 instead of
    # 0.8125000596046448 and the stored values still read back as the same float32.
    return [[float(str(v)) for v in row] for row in values.astype(np.float32)]


def _example(
    query: int,
    data: dict[str, Any],
    group_members: dict[Hashable, list[int]],
    groups: Sequence[Hashable],
) -> dict[str, Any]:
    relevant = set(group_members[groups[query]])
    base_topk, tuned_topk = data["base_topk"][query], data["tuned_topk"][query]
    return {
        "query": query,
        "true_index": query,
        "relevant": sorted(relevant),
        "base_rank": data["base_rank"][query],
        "tuned_rank": data["tuned_rank"][query],
        "rank_change": data["rank_change"][query],
        "base_topk": base_topk,
        "base_scores": data["base_scores"][query],
        "base_topk_relevant": [j in relevant for j in base_topk],
        "tuned_topk": tuned_topk,
        "tuned_scores": data["tuned_scores"][query],
        "tuned_topk_relevant": [j in relevant for j in tuned_topk],
    }


def drilldown(
    base_left: ArrayLike,
    base_right: ArrayLike,
    tuned_left: ArrayLike,
    tuned_right: ArrayLike,
    groups: Sequence[Hashable],
    *,
    tilt_base: str = "cosine",
    tilt_tuned: str,
    k: int = 5,
    direction: str = "left_to_right",
    n_examples: int = 10,
    chunk_size: int = 1024,
) -> dict[str, Any]:
    """Compare base and tuned retrieval query by query over the N test pairs.

    Row ``i`` of every array is test pair ``i``; the query ``i``'s true item is gallery item ``i``,
    and every gallery item of the same group counts as relevant (as in the run's metrics).

    Wins are the queries whose rank improved most (``base_rank - tuned_rank`` largest); among equal
    improvements the one ending nearer the top (smaller tuned rank) comes first, then the lower query
    index. Losses are the largest regressions; among equal ones the one that started nearer the top
    (smaller base rank) comes first, then the lower query index. Both rules favour changes a user
    sees at the top of the list, and make the order fully deterministic.

    Args:
        base_left: (N, D) left embeddings of the base model.
        base_right: (N, D) right embeddings of the base model.
        tuned_left: (N, D') left embeddings of the fine-tuned model.
        tuned_right: (N, D') right embeddings of the fine-tuned model.
        groups: N group ids (the test split's ``test_groups``).
        tilt_base: Tilt the base model is scored with (``"cosine"``, how it is normally used).
        tilt_tuned: The fine-tuned model's tilt (the run's loss tilt).
        k: Length of the top-k lists (capped at N).
        direction: ``"left_to_right"`` or ``"right_to_left"``.
        n_examples: Wins and losses to keep, each (fewer when fewer queries moved that way).
        chunk_size: Queries scored at once; memory is O(chunk_size * N).

    Returns:
        JSON-ready dict: ``direction``, ``query_side``, ``gallery_side``, ``k``, ``tilt``
        (``{"base", "tuned"}``), ``n_queries``; ``queries`` with one list entry per query
        (``base_topk``/``tuned_topk`` gallery indices best first, ``base_scores``/``tuned_scores``,
        ``base_rank``/``tuned_rank`` 1-based, ``rank_change`` = base minus tuned, positive = better);
        ``summary`` (``improved``, ``unchanged``, ``worse``, mean and median ranks, hits@k, a
        ``takeaway`` sentence in English and ``takeaway_keyed`` for any language); ``wins`` and ``losses``, lists of examples with ``query``,
        ``true_index``, ``relevant``, ranks, both top-k lists with scores and per-item relevance flags.

    Raises:
        DataError: Mismatched row counts or widths, or non-finite embeddings.
        ConfigError: Unknown tilt or direction, or ``k``/``n_examples``/``chunk_size`` out of range.
    """
    check_direction(direction, "drilldown.direction")
    check_tilt(tilt_base)
    check_tilt(tilt_tuned)
    k = _check_int(k, "k", 1, "e.g. 5")
    n_examples = _check_int(n_examples, "n_examples", 0, "e.g. 10")
    chunk_size = _check_int(chunk_size, "chunk_size", 1, "e.g. 1024")
    sizes = {
        "base_left": len(base_left),
        "base_right": len(base_right),
        "tuned_left": len(tuned_left),
        "tuned_right": len(tuned_right),
        "groups": len(groups),
    }
    if len(set(sizes.values())) != 1:
        shown = ", ".join(f"{name} {size}" for name, size in sizes.items())
        raise DataError(f"drilldown: got {shown} rows; pass one row per test pair, in the same order, for all five.")
    groups = list(groups)

    query_side, gallery_side = DIRECTION_SIDES[direction]
    models = {
        "base": ({"left": base_left, "right": base_right}, tilt_base),
        "tuned": ({"left": tuned_left, "right": tuned_right}, tilt_tuned),
    }
    data: dict[str, Any] = {}
    ranks: dict[str, np.ndarray] = {}
    for name, (sides, tilt) in models.items():
        queries, gallery = sides[query_side], sides[gallery_side]
        topk, scores = per_query_topk(queries, gallery, k, tilt=tilt, chunk_size=chunk_size)
        ranks[name] = first_relevant_ranks(queries, gallery, groups, groups, tilt=tilt, chunk_size=chunk_size)
        data[f"{name}_topk"] = topk.tolist()
        data[f"{name}_scores"] = _scores_list(scores)
        data[f"{name}_rank"] = ranks[name].tolist()
    change = ranks["base"] - ranks["tuned"]
    data["rank_change"] = change.tolist()

    n = len(groups)
    query_ids = np.arange(n)
    # np.lexsort sorts by the last key first.
    win_order = [int(q) for q in np.lexsort((query_ids, ranks["tuned"], -change)) if change[q] > 0][:n_examples]
    loss_order = [int(q) for q in np.lexsort((query_ids, ranks["base"], change)) if change[q] < 0][:n_examples]
    group_members: dict[Hashable, list[int]] = {}
    for j, grp in enumerate(groups):
        group_members.setdefault(grp, []).append(j)

    improved, worse = int(np.sum(change > 0)), int(np.sum(change < 0))
    k_used = len(data["base_topk"][0])
    summary = {
        "improved": improved,
        "unchanged": n - improved - worse,
        "worse": worse,
        "mean_rank": {"base": float(ranks["base"].mean()), "tuned": float(ranks["tuned"].mean())},
        "median_rank": {"base": float(np.median(ranks["base"])), "tuned": float(np.median(ranks["tuned"]))},
        f"hits@{k_used}": {
            "base": int(np.sum(ranks["base"] <= k_used)),
            "tuned": int(np.sum(ranks["tuned"] <= k_used)),
        },
    }
    wording.store_text(summary, "takeaway", keyed(
        "analysis.DRILLDOWN_TAKEAWAY", words={"gallery": "audit.ROLE", "query": "audit.ROLE"}, gallery=gallery_side,
        query=query_side, improved=improved, n=n, worse=worse, same=n - improved - worse,
    ))
    logger.info("drill-down %s: %s", direction, summary["takeaway"])
    return {
        "direction": direction,
        "query_side": query_side,
        "gallery_side": gallery_side,
        "k": k_used,
        "tilt": {"base": tilt_base, "tuned": tilt_tuned},
        "n_queries": n,
        "queries": data,
        "summary": summary,
        "wins": [_example(q, data, group_members, groups) for q in win_order],
        "losses": [_example(q, data, group_members, groups) for q in loss_order],
    }


def attach_texts(
    drill: dict[str, Any], left_texts: Sequence[str], right_texts: Sequence[str], rows: Sequence[int]
) -> dict[str, Any]:
    """Return a copy of a :func:`drilldown` result with texts and file rows added to its examples.

    Only the wins and losses get texts (query, true item, both top-k lists), so the stored JSON stays
    small. Texts are user data and stored unchanged; escaping is the renderer's job.

    Args:
        drill: A result of :func:`drilldown`; it is not modified.
        left_texts: The test split's left texts (or image paths), in test-split order.
        right_texts: The test split's right texts, same order.
        rows: The test split's 1-based source-file rows (``test_rows``), same order.

    Returns:
        The copy; each example gains ``query_text``, ``query_row``, ``true_text``, ``true_row``,
        ``base_topk_texts``, ``base_topk_rows``, ``tuned_topk_texts`` and ``tuned_topk_rows``.

    Raises:
        DataError: A sequence whose length is not the drill-down's number of queries.
    """
    n = drill.get("n_queries")
    lengths = {"left_texts": len(left_texts), "right_texts": len(right_texts), "rows": len(rows)}
    if any(length != n for length in lengths.values()):
        shown = ", ".join(f"{name} {length}" for name, length in lengths.items())
        raise DataError(
            f"attach_texts: got {shown} entries for a drill-down over {n} queries; pass the same test split "
            "(texts and test_rows in test-split order)."
        )
    texts = {"left": left_texts, "right": right_texts}
    query_texts, gallery_texts = texts[drill["query_side"]], texts[drill["gallery_side"]]
    # Only the examples change; the per-query lists are shared with ``drill`` rather than copied.
    out = dict(drill)
    out["wins"], out["losses"] = copy.deepcopy(drill["wins"]), copy.deepcopy(drill["losses"])
    for example in out["wins"] + out["losses"]:
        q, true = example["query"], example["true_index"]
        example["query_text"] = query_texts[q]
        example["query_row"] = int(rows[q])
        example["true_text"] = gallery_texts[true]
        example["true_row"] = int(rows[true])
        for model in ("base", "tuned"):
            example[f"{model}_topk_texts"] = [gallery_texts[j] for j in example[f"{model}_topk"]]
            example[f"{model}_topk_rows"] = [int(rows[j]) for j in example[f"{model}_topk"]]
    return out
