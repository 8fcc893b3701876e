"""Latent map: both modalities of the test split in one 2-D picture, for the base and tuned models.

Each model gets its own 2-D layout of the stacked ``[left; right]`` test embeddings (UMAP, or PCA as
a fallback), and the tuned layout is then moved onto the base layout by a similarity transform
(Procrustes: translation, rotation or reflection, one uniform scale). Point ``i`` of a map is the left
item of pair ``i`` and point ``M + i`` its right item, so a pair is a link between two points and the
same pair can be followed from the base map to the tuned map.

Geometry. With ``metric="cosine"`` (the default, and how the base model is scored) every embedding is
L2-normalised first: retrieval with the cosine tilt sees only directions, and on unit vectors the
Euclidean distance ``sqrt(2 - 2 cos)`` orders neighbours exactly as cosine does, so PCA and UMAP
both draw the geometry that retrieval uses. ``metric="euclidean"`` keeps the raw vectors (closer to
what a ``dot`` or ``l2`` tilt sees, but the map is then dominated by embedding norms).

Why separate fits and Procrustes, rather than AlignedUMAP or projecting onto the base axes:

* Cosine (and l2) retrieval does not change when the whole embedding space is rotated, and fine-tuning
  can rotate it freely. Fitting each model on its own and aligning the 2-D results removes that
  irrelevant rotation; projecting tuned embeddings onto the base model's axes would show it as change.
* AlignedUMAP pulls the tuned layout towards the base one during optimisation, which understates
  exactly the change the map is meant to show. A similarity transform changes no distance ratio
  inside the tuned map, so whatever is read off the aligned tuned map is the tuned model's own layout.
* Procrustes is closed form (one 2x2 SVD), so the alignment adds no randomness: with UMAP's
  ``random_state`` fixed (which makes UMAP single-threaded) and PCA signs fixed, the same inputs and
  seed give identical coordinates. It also needs no extra numba compilation.

The scale is chosen so the aligned tuned map has the base map's spread (Frobenius norm about the
centroid), not the least-squares scale: the latter shrinks a map that fits badly, which would make
pairs look closer just because the layouts differ.

UMAP costs about 11 s of numba compilation once per process (plus ~2 s to import), so it runs in
the job, never in a page, and its result is stored (:func:`save_latent_map`); pages only load it.
Its fits run in a short-lived child process (:mod:`engine.analysis.evidence.umap_process`), so
numba's ~135 MiB never sit beside the next model's training. Most of umap-learn's numba functions
are not declared ``cache=True``, so :func:`import_umap` turns numba's on-disk cache on for them (in
``<tiltpilot cache>/numba``): the compilation is then paid once per machine, not once per process,
and a job warms it up in the background while it trains rather than when its first map is drawn.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import orthogonal_procrustes

from engine.analysis import wording
from engine.analysis.checks import as_matrix, check_int, check_real
from engine.analysis.evidence.umap_process import umap_layouts
from engine.analysis.wording import keyed
from engine.errors import ConfigError, DataError
from engine.runs.atomic import atomic_write_json, atomic_write_npz, read_json

logger = logging.getLogger(__name__)

METHODS: tuple[str, ...] = ("auto", "umap", "pca")
METRICS: tuple[str, ...] = ("cosine", "euclidean")
MODALITY_LABELS: tuple[str, ...] = ("left", "right")

#: Files inside a run directory (README "Run directory schema").
LATENT_MAP_NPZ = Path("analysis") / "latent_map.npz"
LATENT_MAP_JSON = Path("analysis") / "latent_map.json"

#: Arrays stored in the npz, in the order :func:`load_latent_map` returns them.
ARRAY_NAMES: tuple[str, ...] = ("base", "tuned", "modality", "pair", "links")

#: Points whose spread about their centroid is below this fraction of their size are one point.
COLLAPSE_RTOL = 1e-9

#: numba's on-disk cache of compiled UMAP code, under the tiltpilot cache folder.
NUMBA_CACHE_FOLDER = "numba"
#: Modules whose numba functions get the on-disk cache.
CACHED_MODULES: tuple[str, ...] = ("umap", "pynndescent")
#: The warm-up map: enough points for UMAP's default 15 neighbours, few enough to take no time.
WARM_UP_POINTS = 40
_caching_lock = threading.Lock()

Array = NDArray[np.float64]


def _check_inputs(
    base_left: ArrayLike, base_right: ArrayLike, tuned_left: ArrayLike, tuned_right: ArrayLike
) -> tuple[Array, Array, Array, Array]:
    names = ("base_left", "base_right", "tuned_left", "tuned_right")
    fix = "re-encode the data or check the model outputs"
    arrays = tuple(
        as_matrix(x, name, what="(items, dim) array", fix=fix)
        for x, name in zip((base_left, base_right, tuned_left, tuned_right), names, strict=True)
    )
    shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(names, arrays))
    if len({a.shape[0] for a in arrays}) != 1:
        raise DataError(
            f"latent map: got {shapes}; all four need the same number of rows (one per test pair, in the same order)."
        )
    if arrays[0].shape[1] != arrays[1].shape[1] or arrays[2].shape[1] != arrays[3].shape[1]:
        raise DataError(
            f"latent map: got {shapes}; left and right embeddings of one model must have the same width "
            "(both towers embed into one space)."
        )
    if arrays[0].shape[0] < 2:
        raise DataError("latent map: got 1 pair; a map needs at least 2 test pairs.")
    return arrays


def _check_options(
    method: str, seed: int, n_neighbors: int, min_dist: float, metric: str, max_points: int | None
) -> None:
    if method not in METHODS:
        raise ConfigError(f"latent_map.method: got {method!r}, expected one of {', '.join(METHODS)}.")
    if metric not in METRICS:
        raise ConfigError(f"latent_map.metric: got {metric!r}, expected one of {', '.join(METRICS)}.")
    check_int(seed, "latent_map.seed", minimum=0, maximum=2**32 - 1, expected="an integer in [0, 2**32)")
    check_int(n_neighbors, "latent_map.n_neighbors", minimum=2, expected="an integer >= 2 (UMAP's default is 15)")
    check_real(min_dist, "latent_map.min_dist", low=0.0, high=1.0, closed=True,
               expected="a number in [0, 1] (UMAP's default is 0.1)")
    if max_points is not None:
        check_int(max_points, "latent_map.max_points", minimum=4,
                  expected="None (all points) or an integer >= 4 (two points per pair, at least two pairs)")


def _geometry(x: Array, metric: str) -> Array:
    if metric != "cosine":
        return x
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    # A zero embedding has no direction; keep it at the origin instead of dividing by zero.
    return x / np.where(norms > 0.0, norms, 1.0)


def pca_2d(x: Array) -> tuple[Array, list[float]]:
    """Project rows of ``x`` onto their first two principal axes, with deterministic signs.

    An SVD's singular vectors are defined up to sign; each axis is flipped so that its largest
    absolute loading is positive (scikit-learn's ``svd_flip`` convention), so the map does not
    mirror between machines or library versions.

    Args:
        x: (n, D) float64 points.

    Returns:
        ``(coords, explained)``: (n, 2) coordinates (zero-padded when the data has rank < 2) and the
        share of variance each of the two axes explains.
    """
    centred = x - x.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    n_axes = min(2, vt.shape[0])
    axes = vt[:n_axes].copy()
    for j in range(n_axes):
        if axes[j, np.argmax(np.abs(axes[j]))] < 0:
            axes[j] = -axes[j]
    coords = np.zeros((x.shape[0], 2))
    coords[:, :n_axes] = centred @ axes.T
    total = float(np.sum(singular**2))
    explained = [float(s**2 / total) if total > 0 else 0.0 for s in singular[:n_axes]]
    return coords, explained + [0.0] * (2 - n_axes)


def procrustes_align(moving: Array, target: Array) -> tuple[Array, dict[str, Any]]:
    """Move ``moving`` onto ``target`` by translation, an orthogonal map and one uniform scale.

    The orthogonal part (rotation or reflection) minimises ``|s (M - m) R - (T - t)|_F`` (its value
    does not depend on ``s``); the scale ``s`` makes the aligned map's spread about its centroid
    equal the target's, so a poor fit is not shrunk towards the centroid.

    Args:
        moving: (n, 2) coordinates to align (the tuned map).
        target: (n, 2) reference coordinates (the base map).

    Returns:
        ``(aligned, info)``: aligned (n, 2) coordinates and a JSON-ready dict with ``rotation``
        (2x2, applied on the right), ``scale``, ``reflection`` (bool) and ``disparity`` (residual
        sum of squares over the target's, 0 for a perfect match, 2 at most).
    """
    m_centre, t_centre = moving.mean(axis=0), target.mean(axis=0)
    m_c, t_c = moving - m_centre, target - t_centre
    m_norm, t_norm = float(np.linalg.norm(m_c)), float(np.linalg.norm(t_c))
    if m_norm == 0.0 or t_norm == 0.0:
        # A map collapsed to one point has no orientation; put it on the target's centroid.
        rotation, scale = np.eye(2), 0.0 if m_norm == 0.0 else 1.0
    else:
        rotation, _ = orthogonal_procrustes(m_c, t_c)
        scale = t_norm / m_norm
    aligned = scale * (m_c @ rotation) + t_centre
    disparity = float(np.sum((aligned - target) ** 2) / t_norm**2) if t_norm > 0.0 else 0.0
    info = {
        "kind": "procrustes",
        "rotation": rotation.tolist(),
        "scale": float(scale),
        "reflection": bool(np.linalg.det(rotation) < 0),
        "disparity": disparity,
    }
    return aligned, info


def fit_umap_2d(x: Array, *, umap_module: Any, seed: int, n_neighbors: int, min_dist: float, metric: str) -> Array:
    """One 2-D UMAP layout of ``x`` (in the process that imported ``umap_module``)."""
    # random_state makes UMAP deterministic and single-threaded; n_jobs=1 is passed explicitly so
    # umap-learn does not warn that it overrode the default.
    reducer = umap_module.UMAP(
        n_components=2,
        n_neighbors=n_neighbors,
        min_dist=float(min_dist),
        metric=metric,
        random_state=int(seed),
        n_jobs=1,
    )
    return np.asarray(reducer.fit_transform(x.astype(np.float32)), dtype=np.float64)


def import_umap() -> Any:
    """umap-learn, with numba's on-disk cache turned on for its compiled functions.

    ``NUMBA_CACHE_DIR`` is set (unless the environment sets it) before numba is first imported,
    since numba reads it then.

    Raises:
        ImportError: umap-learn is not installed.
    """
    from engine.models.e5.install import cache_dir  # the one home of the tiltpilot cache folder

    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / NUMBA_CACHE_FOLDER))
    import umap  # optional and slow (~2 s): imported only when a UMAP map is drawn

    with _caching_lock:
        _cache_compiled_functions()
    return umap


def _cache_compiled_functions() -> int:
    """Turn numba's on-disk cache on for every compiled function of :data:`CACHED_MODULES`; returns how many."""
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    enabled = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in CACHED_MODULES:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and isinstance(value._cache, NullCache):
                try:
                    value.enable_caching()
                except Exception as exc:  # numba refuses some functions (e.g. closures); they compile per process
                    logger.debug("numba cache not enabled for %s: %s", value, exc)
                    continue
                enabled += 1
    return enabled


def warm_up_umap(seed: int = 0) -> float:
    """Compile UMAP's numba code (or load it from the disk cache) by drawing a tiny map.

    A job that will draw latent maps runs this in a child process when it starts
    (:func:`engine.analysis.evidence.umap_process.warm_up_in_background`), so its first map does
    not wait for the compilation.

    Returns:
        The seconds it took; 0.0 when umap-learn is not installed (maps then use PCA).
    """
    started = time.perf_counter()
    try:
        umap_module = import_umap()
    except ImportError:
        return 0.0
    points = _geometry(np.random.default_rng(seed).normal(size=(WARM_UP_POINTS, 8)), "cosine")
    fit_umap_2d(points, umap_module=umap_module, seed=seed, n_neighbors=15, min_dist=0.1, metric="cosine")
    seconds = time.perf_counter() - started
    logger.info("UMAP warmed up in %.1f s", seconds)
    return seconds


def umap_version() -> str | None:
    """umap-learn's version when it can be imported, else None; found without importing it (numba is slow)."""
    try:
        if importlib.util.find_spec("umap") is None:
            return None
    except (ImportError, ValueError):  # a broken or half-removed install
        return None
    try:
        return importlib.metadata.version("umap-learn")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _choose_method(method: str, n_points: int, n_neighbors: int) -> tuple[str, str | None, str | None]:
    """Return ``(method used, reason for falling back to PCA or None, umap-learn's version or None)``."""
    if method == "pca":
        return "pca", None, None
    if n_points < n_neighbors + 2:
        return "pca", (
            f"{n_points} points are too few for UMAP with n_neighbors={n_neighbors} (needs at least "
            f"{n_neighbors + 2}); used PCA."
        ), None
    version = umap_version()
    if version is None:
        return "pca", "umap-learn is not installed; used PCA. Install umap-learn for UMAP maps.", None
    return "umap", None, version


def _pair_distances(left: Array, right: Array) -> float:
    return float(np.mean(np.linalg.norm(left - right, axis=1)))


def _spread(points: Array) -> float:
    """RMS distance of the points to their centroid."""
    return float(np.sqrt(np.mean(np.sum((points - points.mean(axis=0)) ** 2, axis=1))))


def _is_collapsed(points: Array) -> bool:
    """True when all points coincide up to round-off (a collapsed encoder).

    Pairs of such a model would read as "100% closer", praising a broken model, and UMAP cannot
    embed a single repeated point.
    """
    size = float(np.sqrt(np.mean(np.sum(points**2, axis=1))))
    return _spread(points) <= COLLAPSE_RTOL * size


def _relative_pair_distance(points: Array, m: int) -> float:
    """Mean pair distance over the RMS distance of all points to their centroid (scale-free)."""
    return _pair_distances(points[:m], points[m:]) / _spread(points)


def _change_pct(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0.0:
        return None
    return 100.0 * (after - before) / before


def _takeaway(
    map_before: float,
    map_after: float,
    change: float | None,
    emb_change: float | None,
    method: str,
    collapsed: dict[str, bool],
) -> list[dict[str, Any]]:
    """The takeaway as keyed parts (:mod:`engine.analysis.wording`), joined when written."""
    broken = [name for name, flag in collapsed.items() if flag]
    model = "analysis.MODEL_WORDS"
    if len(broken) == 1:
        parts = [keyed("analysis.LATENT_COLLAPSED_ONE", words={"model": model}, model=broken[0])]
    elif broken:
        parts = [keyed("analysis.LATENT_COLLAPSED_BOTH", words={"first": model, "second": model}, first=broken[0],
                       second=broken[1])]
    elif change is None:
        parts = [keyed("analysis.LATENT_COINCIDE")]
    elif abs(change) < 0.5:
        parts = [keyed("analysis.LATENT_STAYED", method=method.upper(), before=map_before, after=map_after)]
    else:
        parts = [keyed("analysis.LATENT_MOVED", words={"verb": "analysis.LATENT_MOVED_VERB"},
                       verb="closer" if change < 0 else "apart", change=abs(change), method=method.upper(),
                       before=map_before, after=map_after)]
    if emb_change is not None and abs(emb_change) >= 0.5:
        parts.append(keyed("analysis.LATENT_EMBEDDING", words={"verb": "analysis.LATENT_EMBEDDING_VERB"},
                           change=abs(emb_change), verb="closer" if emb_change < 0 else "apart"))
    return [*parts, keyed("analysis.LATENT_CLOSING")]


def latent_map(
    base_left: ArrayLike,
    base_right: ArrayLike,
    tuned_left: ArrayLike,
    tuned_right: ArrayLike,
    *,
    method: str = "umap",
    seed: int = 0,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "cosine",
    max_points: int | None = None,
) -> dict[str, Any]:
    """Draw the test split's left and right embeddings in one 2-D map per model, tuned aligned to base.

    Args:
        base_left: (N, D) left embeddings of the base model (row ``i`` is test pair ``i``).
        base_right: (N, D) right embeddings of the base model.
        tuned_left: (N, D') left embeddings of the fine-tuned model.
        tuned_right: (N, D') right embeddings of the fine-tuned model.
        method: ``"umap"`` (UMAP, falling back to PCA with a warning when umap-learn is missing or
            there are too few points), ``"auto"`` (the same, falling back quietly) or ``"pca"``.
        seed: Seed of the UMAP fit and of the subsample; the same inputs and seed give identical maps.
        n_neighbors: UMAP's neighbourhood size (capped at the number of points minus one).
        min_dist: UMAP's minimum distance between embedded points.
        metric: ``"cosine"`` (L2-normalise first; see the module docstring) or ``"euclidean"``.
        max_points: Cap on map points (two per pair); when ``2N`` exceeds it, ``max_points // 2``
            pairs are drawn at random (seeded). ``None`` keeps every pair.

    Returns:
        ``{"arrays": {...}, "meta": {...}}``. ``arrays`` (NumPy, for the npz):

        * ``base``, ``tuned``: (2M, 2) float64 coordinates; rows ``0..M-1`` are left items, rows
          ``M..2M-1`` the right items of the same pairs; ``tuned`` is aligned onto ``base``.
        * ``modality``: (2M,) int8, 0 = left, 1 = right (names in ``meta["modality_labels"]``).
        * ``pair``: (2M,) int64 index of each point's pair in the test split (``test_rows`` order).
        * ``links``: (M, 2) int64 point indices ``[i, M + i]`` joined by a pair link.

        ``meta`` (JSON-ready): ``method``, ``method_requested``, ``fallback_reason``, ``seed``,
        ``params``, ``n_pairs_total``, ``n_pairs``, ``n_points``, ``subsampled``, ``explained_variance``
        (PCA only), ``alignment`` (see :func:`procrustes_align`), ``pair_distance`` (``map`` and
        ``embedding``, each ``{"base", "tuned", "change_pct"}``; negative change = pairs closer),
        ``collapsed`` (``{"base", "tuned"}``: all points coincide, pair movement is then
        undefined), ``takeaway`` (English; ``takeaway_keyed`` for any language, see
        :func:`engine.analysis.wording.render_text`), ``timings``, ``versions``.

    Raises:
        DataError: Arrays of the wrong shape, mismatched row counts, or non-finite values.
        ConfigError: An option out of range.
    """
    started = time.perf_counter()
    _check_options(method, seed, n_neighbors, min_dist, metric, max_points)
    b_left, b_right, t_left, t_right = _check_inputs(base_left, base_right, tuned_left, tuned_right)
    n_total = b_left.shape[0]
    keep = _subsample(n_total, max_points, seed)
    m = int(keep.size)
    base_points = _geometry(np.vstack([b_left[keep], b_right[keep]]), metric)
    tuned_points = _geometry(np.vstack([t_left[keep], t_right[keep]]), metric)
    collapsed = {"base": _is_collapsed(base_points), "tuned": _is_collapsed(tuned_points)}
    used, reason, version = _layout_method(method, collapsed, 2 * m, n_neighbors)
    n_neighbors_used = min(n_neighbors, 2 * m - 1)
    umap_options = {"seed": seed, "n_neighbors": n_neighbors_used, "min_dist": min_dist, "metric": metric}
    base_xy, tuned_xy, explained, timings = _fit_layouts(base_points, tuned_points, used, umap_options, collapsed)
    tick = time.perf_counter()
    tuned_aligned, alignment = procrustes_align(tuned_xy, base_xy)
    timings["align_s"] = time.perf_counter() - tick
    distance = _pair_distance(base_xy, tuned_aligned, base_points, tuned_points, m, collapsed)
    timings["total_s"] = time.perf_counter() - started

    meta: dict[str, Any] = {
        "method": used,
        "method_requested": method,
        "fallback_reason": reason,
        "seed": int(seed),
        "params": {
            "n_neighbors": int(n_neighbors),
            "n_neighbors_used": int(n_neighbors_used) if used == "umap" else None,
            "min_dist": float(min_dist),
            "metric": metric,
            "max_points": None if max_points is None else int(max_points),
        },
        "n_pairs_total": int(n_total),
        "n_pairs": m,
        "n_points": 2 * m,
        "subsampled": bool(m < n_total),
        "layout": "rows 0..n_pairs-1 are left items, rows n_pairs..n_points-1 the right items of the same pairs",
        "modality_labels": list(MODALITY_LABELS),
        "explained_variance": explained,
        "alignment": alignment,
        "pair_distance": distance,
        "collapsed": collapsed,
    }
    on_map, in_space = distance["map"], distance["embedding"]
    takeaway = _takeaway(on_map["base"], on_map["tuned"], on_map["change_pct"], in_space["change_pct"], used, collapsed)
    wording.store_text(meta, "takeaway", takeaway)
    meta |= {
        "timings": {name: round(value, 4) for name, value in timings.items()},
        "versions": _versions(version),
    }
    logger.info("latent map (%s, %d points) in %.1f s: %s", used, 2 * m, timings["total_s"], meta["takeaway"])
    return {"arrays": _point_arrays(keep, base_xy, tuned_aligned), "meta": meta}


def _subsample(n_total: int, max_points: int | None, seed: int) -> NDArray[np.int64]:
    """Indices of the pairs drawn: all of them, or ``max_points // 2`` at random (seeded), sorted."""
    if max_points is None or 2 * n_total <= max_points:
        return np.arange(n_total)
    keep = np.sort(np.random.default_rng(seed).choice(n_total, size=max_points // 2, replace=False))
    logger.info("latent map: drawing %d of %d pairs (max_points=%d)", keep.size, n_total, max_points)
    return keep


def _layout_method(
    method: str, collapsed: dict[str, bool], n_points: int, n_neighbors: int
) -> tuple[str, str | None, str | None]:
    """``(method used, reason for falling back to PCA or None, umap-learn's version or None)``, the fallback logged."""
    if any(collapsed.values()) and method != "pca":
        broken = " and ".join(name for name, flag in collapsed.items() if flag)
        used, reason, version = "pca", f"the {broken} embeddings are collapsed to one point; used PCA.", None
    else:
        used, reason, version = _choose_method(method, n_points, n_neighbors)
    if reason is not None and method == "umap":
        logger.warning("latent map: %s", reason)
    elif reason is not None:
        logger.info("latent map: %s", reason)
    return used, reason, version


def _fit_layouts(
    base_points: Array, tuned_points: Array, used: str, umap_options: dict[str, Any], collapsed: dict[str, bool]
) -> tuple[Array, Array, dict[str, list[float]] | None, dict[str, float]]:
    """2-D layouts of both models (not yet aligned), PCA's explained variance (None for UMAP) and timings."""
    timings: dict[str, float] = {}
    explained: dict[str, list[float]] | None = None
    tick = time.perf_counter()
    if used == "umap":
        base_xy, tuned_xy, child_timings = umap_layouts(base_points, tuned_points, **umap_options)
        timings |= child_timings
    else:
        base_xy, base_explained = pca_2d(base_points)
        timings["fit_base_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
        tuned_xy, tuned_explained = pca_2d(tuned_points)
        explained = {"base": base_explained, "tuned": tuned_explained}
        timings["fit_tuned_s"] = time.perf_counter() - tick
    # Round-off spread of a collapsed model would be blown up to full size by the alignment scale.
    if collapsed["base"]:
        base_xy = np.zeros_like(base_xy)
    if collapsed["tuned"]:
        tuned_xy = np.zeros_like(tuned_xy)
    return base_xy, tuned_xy, explained, timings


def _pair_distance(
    base_xy: Array, tuned_aligned: Array, base_points: Array, tuned_points: Array, m: int, collapsed: dict[str, bool]
) -> dict[str, dict[str, float | None]]:
    """How far apart the two sides of a pair are, on the map and in the embedding space, base and tuned."""
    map_base = _pair_distances(base_xy[:m], base_xy[m:])
    map_tuned = _pair_distances(tuned_aligned[:m], tuned_aligned[m:])
    map_change = None if any(collapsed.values()) else _change_pct(map_base, map_tuned)
    emb_base = None if collapsed["base"] else _relative_pair_distance(base_points, m)
    emb_tuned = None if collapsed["tuned"] else _relative_pair_distance(tuned_points, m)
    return {
        "map": {"base": map_base, "tuned": map_tuned, "change_pct": map_change},
        "embedding": {"base": emb_base, "tuned": emb_tuned, "change_pct": _change_pct(emb_base, emb_tuned)},
    }


def _point_arrays(keep: NDArray[np.int64], base_xy: Array, tuned_aligned: Array) -> dict[str, np.ndarray]:
    """The npz arrays of :func:`latent_map` (see its Returns)."""
    m = int(keep.size)
    return {
        "base": base_xy,
        "tuned": tuned_aligned,
        "modality": np.repeat(np.array([0, 1], dtype=np.int8), m),
        "pair": np.concatenate([keep, keep]).astype(np.int64),
        "links": np.stack([np.arange(m), np.arange(m) + m], axis=1).astype(np.int64),
    }


def _versions(umap_version: str | None) -> dict[str, str]:
    versions = {"numpy": np.__version__}
    if umap_version is not None:
        versions["umap-learn"] = umap_version
    return versions


def save_latent_map(result: dict[str, Any], run_dir: str | Path) -> tuple[Path, Path]:
    """Store a :func:`latent_map` result as ``analysis/latent_map.npz`` + ``analysis/latent_map.json``.

    Both files are written atomically, the npz first: a reader that finds the JSON therefore also
    finds the matching arrays.

    Returns:
        ``(npz_path, json_path)``.

    Raises:
        DataError: ``result`` lacks ``arrays`` or ``meta``, or an expected array.
    """
    arrays, meta = result.get("arrays"), result.get("meta")
    if not isinstance(arrays, dict) or not isinstance(meta, dict) or any(name not in arrays for name in ARRAY_NAMES):
        raise DataError(
            "save_latent_map: expected the dict returned by latent_map(), with 'meta' and 'arrays' holding "
            f"{', '.join(ARRAY_NAMES)}; got keys {sorted(result)}."
        )
    run_dir = Path(run_dir)
    npz_path, json_path = run_dir / LATENT_MAP_NPZ, run_dir / LATENT_MAP_JSON
    atomic_write_npz(npz_path, **{name: np.asarray(arrays[name]) for name in ARRAY_NAMES})
    atomic_write_json(json_path, meta)
    return npz_path, json_path


def load_latent_map(run_dir: str | Path) -> dict[str, Any] | None:
    """Read a stored latent map back as ``{"arrays": ..., "meta": ...}``; ``None`` if none was stored.

    Raises:
        DataError: The JSON exists but its npz is missing or unreadable.
    """
    run_dir = Path(run_dir)
    meta = read_json(run_dir / LATENT_MAP_JSON)
    if meta is None:
        return None
    npz_path = run_dir / LATENT_MAP_NPZ
    try:
        with np.load(npz_path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in ARRAY_NAMES}
    except (OSError, KeyError, ValueError) as err:
        raise DataError(
            f"{npz_path}: cannot read the latent map arrays ({err}); recompute the latent map for this run."
        ) from err
    return {"arrays": arrays, "meta": meta}
