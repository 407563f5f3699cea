"""Grow a CART tree level by level with one vectorised best-split search per level.

A tree lives in flat arrays, as in scikit-learn's ``Tree``: node ``i`` splits on ``feature[i]`` at
``threshold[i]`` (``x <= threshold`` goes to ``children_left[i]``), leaves have children ``-1``.

Growing: every feature is argsorted once (``order``, shape ``(d, n)``). At each depth the samples of
the nodes still to split sit in ``order`` grouped by node and sorted by feature value inside their
node, so for every (node, feature) pair drawn a contiguous segment holds that node's samples in
sorted order. All segments of a level are gathered into one flat array, the class counts / target
sums are cumulated along it, and every threshold of every pair is scored at once with the proxy

    gini:                 -w_L (1 - sum_k L_k^2 / w_L^2) - (same for R)   (scikit-learn's rounding)
    squared error:        sum_k L_k^2 / w_L + sum_k R_k^2 / w_R
    entropy:              -w_L i_L - w_R i_R,  i = -sum_k p_k log2 p_k  (scikit-learn's rounding)

(``L_k``/``R_k``: weighted class counts or target sums left/right of the threshold), which ranks
splits exactly as the impurity decrease does. The first best pair in a node's random feature order
wins, as in scikit-learn's ``BestSplitter``; thresholds are midpoints between consecutive distinct
float32 values, so fully determined trees split where scikit-learn's do. A stable partition
then regroups ``order`` for the next level (each sample's new column computed from running
counts of left-goers, no sort): no Python loop over samples or nodes. A forest's trees grow
together (:func:`build_trees`): their samples are numbered apart and each level of every tree
is searched in the same pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import xlogy

TREE_LEAF = -1
TREE_UNDEFINED = -2
FEATURE_THRESHOLD = 1e-7  # scikit-learn's: values closer than this are one value
EPSILON = np.finfo(np.float64).eps


@dataclass
class Tree:
    """Flat-array tree: ``value`` is ``(node_count, n_outputs, n_classes)`` like scikit-learn's
    (class fractions for classifiers, target means for regressors)."""

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray
    max_depth: int

    @property
    def node_count(self) -> int:
        return len(self.feature)

    @property
    def n_leaves(self) -> int:
        return int(np.sum(self.children_left == TREE_LEAF))

    @cached_property
    def _descent(self):
        leaf = self.children_left == TREE_LEAF
        idx = np.arange(self.node_count)
        return (np.where(leaf, idx, self.children_left), np.where(leaf, idx, self.children_right),
                np.where(leaf, 0, self.feature), np.where(leaf, np.inf, self.threshold))

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf index of every row of ``X`` (float32, validated): all rows descend one level per
        step; a leaf points to itself so finished rows stay put."""
        left, right, feat, thr = self._descent
        node = np.zeros(X.shape[0], dtype=np.intp)
        rows = np.arange(X.shape[0])
        for _ in range(self.max_depth):
            node = np.where(X[rows, feat[node]] <= thr[node], left[node], right[node])
        return node

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.value[self.apply(X)]

    def compute_feature_importances(self, n_features: int, normalize: bool = True) -> np.ndarray:
        """Total weighted impurity decrease per feature (``w_t i_t - w_L i_L - w_R i_R`` over the
        nodes ``t`` split on it), divided by the root weight and, if asked, normalised to sum 1."""
        inner = np.flatnonzero(self.children_left != TREE_LEAF)
        wi = self.weighted_n_node_samples * self.impurity
        gain = wi[inner] - wi[self.children_left[inner]] - wi[self.children_right[inner]]
        imp = np.bincount(self.feature[inner], weights=gain, minlength=n_features)
        imp = imp / self.weighted_n_node_samples[0]
        if normalize and imp.sum() > 0:
            imp = imp / imp.sum()
        return imp


def ensemble_leaves(trees: list[Tree], X: np.ndarray, max_cells: int = 1 << 21):
    """Descend every row through every tree at once: the trees' arrays are stacked (node ids
    offset per tree) and all (row, tree) pairs move one level per step. Yields
    ``(row slice, leaf ids (rows, n_trees))`` in chunks of about ``max_cells`` pairs; the ids
    index :func:`stack_nodes` of the same trees."""
    offsets = np.cumsum([0] + [t.node_count for t in trees[:-1]])
    parts = [t._descent for t in trees]
    left, right, feat, thr = (np.concatenate([p[i] + (o if i < 2 else 0) for p, o in
                                              zip(parts, offsets)]) for i in range(4))
    depth = max(t.max_depth for t in trees)
    step = max(1, max_cells // len(trees))
    for start in range(0, X.shape[0], step):
        Xc = X[start:start + step]
        rows = np.arange(Xc.shape[0])[:, None]
        node = np.broadcast_to(offsets, (Xc.shape[0], len(trees)))
        for _ in range(depth):
            node = np.where(Xc[rows, feat[node]] <= thr[node], left[node], right[node])
        yield slice(start, start + Xc.shape[0]), node


def stack_nodes(per_tree: list[np.ndarray]) -> np.ndarray:
    """Per-node arrays of several trees, stacked in :func:`ensemble_leaves` order."""
    return np.concatenate(per_tree)


def node_impurity(criterion: str, S: np.ndarray, W: np.ndarray,
                  SQ: np.ndarray | None, n_classes: tuple[int, ...] | None = None) -> np.ndarray:
    """Impurity of nodes from their weighted stats ``S`` (m, c), weights ``W`` (m,) and, for
    squared error, weighted sums of squared (centred) targets ``SQ`` (m,). With several outputs
    (``n_classes``: classes per output, their columns side by side in ``S``) the impurity is the
    mean over outputs, as scikit-learn's."""
    if criterion == "gini":
        return _gini(S, W, n_classes)
    p = S / W[:, None]
    if criterion == "entropy":
        return -np.sum(xlogy(p, p), axis=1) / np.log(2.0) / _n_outputs(n_classes)
    return (SQ / W - np.sum(p * p, axis=1)) / S.shape[1]


def _n_outputs(n_classes: tuple[int, ...] | None) -> int:
    return 1 if n_classes is None else len(n_classes)


def _gini(counts: np.ndarray, w: np.ndarray, n_classes: tuple[int, ...] | None) -> np.ndarray:
    """Gini of rows of weighted class counts: (1/K) Σ_k (1 − Σ_c counts_kc² / w²) over the K
    outputs, summed output by output in scikit-learn's order (so ties round as they do there)."""
    if _n_outputs(n_classes) == 1:
        return 1.0 - np.einsum("tc,tc->t", counts, counts) / (w * w)
    starts = np.cumsum((0,) + tuple(n_classes[:-1]))
    squares = np.add.reduceat(counts * counts, starts, axis=1)
    total = np.zeros(len(w))
    for k in range(len(n_classes)):
        total += 1.0 - squares[:, k] / (w * w)
    return total / len(n_classes)


def _proxy(criterion: str, L: np.ndarray, wl: np.ndarray, R: np.ndarray,
           wr: np.ndarray, n_classes: tuple[int, ...] | None = None) -> np.ndarray:
    # gini and entropy: scikit-learn's own expression and rounding, −w_R·i_R − w_L·i_L
    if criterion == "entropy":
        k = _n_outputs(n_classes)
        return -wr * (_entropy_bits(R, wr) / k) - wl * (_entropy_bits(L, wl) / k)
    if criterion == "gini":
        return -wr * _gini(R, wr, n_classes) - wl * _gini(L, wl, n_classes)
    return np.einsum("tc,tc->t", L, L) / wl + np.einsum("tc,tc->t", R, R) / wr


def _proxy_rows(criterion: str, L: np.ndarray, wl: np.ndarray, R: np.ndarray,
                wr: np.ndarray) -> np.ndarray:
    """:func:`_proxy` for one output, gini or squared error, from stats as rows (c, T)."""
    sq_l, sq_r = _row_squares(L), _row_squares(R)
    if criterion == "gini":
        return -wr * (1.0 - sq_r / (wr * wr)) - wl * (1.0 - sq_l / (wl * wl))
    return sq_l / wl + sq_r / wr


def _row_squares(rows: np.ndarray) -> np.ndarray:
    """Σ_k rows[k]² over the rows of a (c, T) block, summed row after row."""
    total = rows[0] * rows[0]
    for k in range(1, rows.shape[0]):
        total += rows[k] * rows[k]
    return total


def _entropy_bits(counts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """−Σ_c p_c·log2 p_c summed class by class in order (every output's classes in turn, one
    running sum), log2 as ln(p)/ln 2 (as scikit-learn)."""
    total = np.zeros(len(w))
    for c in range(counts.shape[1]):
        p = counts[:, c] / w
        with np.errstate(divide="ignore", invalid="ignore"):
            total -= np.where(counts[:, c] > 0.0, p * (np.log(p) / np.log(2.0)), 0.0)
    return total


def tie_tolerance(criterion: str, w: np.ndarray) -> float:
    """How close to the best a split's score must be to count as a tie (the first one wins, as
    scikit-learn keeps the first of equal scores). The gini and entropy proxies are scikit-learn's
    own expressions, so with whole sample weights (plain class counts, bootstrap counts) their
    sums are exact and the last bits decide as they do in scikit-learn: two splits tied in exact
    arithmetic can differ by an ulp, and it keeps the strictly larger (tolerance 0). Otherwise our
    cumulative sums round differently from its running sums, and scores within 1e-10 are ties."""
    return 0.0 if criterion in ("gini", "entropy") and np.array_equal(w, np.round(w)) else 1e-10


def _tie_floor(best: np.ndarray, tol: float, weight: np.ndarray, criterion: str) -> np.ndarray:
    """Scores at or above this count as ties with ``best``: within ``tol`` of it relatively and,
    for gini and entropy (whose proxy −w_L i_L − w_R i_R lies in [−W, 0] for a node of weight
    W), within ``tol · W`` too, so that a perfect split scored 0 and one scored −1e-16 by
    rounding (a pure child's class total and weight summed apart) tie."""
    if not tol:
        return best
    slack = np.abs(best) + (weight if criterion in ("gini", "entropy") else 0.0)
    with np.errstate(invalid="ignore"):
        return best - tol * slack


def _draw_features(xsorted, starts, counts, max_features, draws):
    """Per node, the (node, feature) pairs to search, in the node's random feature order: the
    first ``max_features`` draws, extended until one non-constant feature is met (scikit-learn's
    rule); constant features are never searched. Returns node index and feature per pair."""
    m, d = len(starts), xsorted.shape[0]
    perm = np.argsort(draws, axis=1)
    if max_features >= d:
        return np.repeat(np.arange(m), d), perm.ravel()
    lo = xsorted[:, starts]                         # (d, m) smallest value per node and feature
    hi = xsorted[:, starts + counts - 1]
    flat_perm = perm + (np.arange(m) * d)[:, None]   # (node, feature) as a flat (m, d) index
    varies = (hi > lo + FEATURE_THRESHOLD).T.ravel()[flat_perm]
    first = np.argmax(varies, axis=1)                # first non-constant draw (0 if none)
    limit = np.maximum(max_features, first + 1)
    sel = (np.arange(d)[None, :] < limit[:, None]) & varies
    pick = np.flatnonzero(sel)
    return pick // d, perm.ravel()[pick]


def _best_splits(xsorted, SWT, order, starts, counts, criterion, tol, min_samples_leaf,
                 max_features, draws, n_classes=None, min_weight_leaf=0.0):
    """Best split of every node of a level. ``SWT`` (c+1, n) holds each sample's weighted stats
    and, last, its weight, as rows; ``draws`` (m, d) are the uniform draws ordering each node's
    features. Returns per node: found, feature, threshold, left and right stats (c), left and
    right weights, left sample count."""
    m = len(starts)
    c = SWT.shape[0] - 1
    n_act = order.shape[1]
    pnode, pfeat = _draw_features(xsorted, starts, counts, max_features, draws)
    res_found = np.zeros(m, dtype=bool)
    res_feat = np.full(m, TREE_UNDEFINED, dtype=np.intp)
    res_thr = np.full(m, float(TREE_UNDEFINED))
    res_L, res_R = np.zeros((m, c)), np.zeros((m, c))
    res_wl, res_wr = np.zeros(m), np.zeros(m)
    res_nl = np.zeros(m, dtype=np.intp)
    if len(pnode) == 0:
        return res_found, res_feat, res_thr, res_L, res_R, res_wl, res_wr, res_nl
    L = counts[pnode]
    seg_off = np.cumsum(L) - L
    T = int(seg_off[-1] + L[-1])
    flat = np.repeat(pfeat * n_act + starts[pnode] - seg_off, L) + np.arange(T)
    samp = order.ravel()[flat]
    xs = xsorted.ravel()[flat]
    # segmented cumulative sums in one pass: each segment starts by taking back the previous
    # segment's own sum, so the running sum restarts from zero (node totals are re-summed here
    # rather than carried from the parent, so rounding never compounds down the tree)
    # stats as rows (c+1, T): the cumulative sums run along contiguous memory
    G = SWT[:, samp]
    seg_tot = np.add.reduceat(G, seg_off, axis=1)
    G[:, seg_off[1:]] -= seg_tot[:, :-1]
    left = np.cumsum(G, axis=1, out=G)
    right = np.repeat(seg_tot, L, axis=1)
    right -= left
    lS, wl, rS, wr = left[:c].T, left[c], right[:c].T, right[c]
    seg_tot = seg_tot.T
    nl = np.arange(T) - np.repeat(seg_off, L) + 1   # samples left of the threshold
    nr = np.repeat(L, L) - nl
    nxt = np.empty_like(xs)
    nxt[:-1] = xs[1:]
    nxt[-1] = xs[-1]
    valid = (nl >= min_samples_leaf) & (nr >= min_samples_leaf) & (nxt > xs + FEATURE_THRESHOLD)
    if min_weight_leaf > 0:
        valid &= (wl >= min_weight_leaf) & (wr >= min_weight_leaf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if _n_outputs(n_classes) == 1 and criterion != "entropy":
            proxy = _proxy_rows(criterion, left[:c], wl, right[:c], wr)
        else:
            proxy = _proxy(criterion, lS, wl, rS, wr, n_classes)
    proxy = np.where(valid, proxy, -np.inf)
    # best position per pair (first of the maxima), then best pair per node (first in draw order)
    seg_max = np.maximum.reduceat(proxy, seg_off)
    best_t = np.minimum.reduceat(
        np.where(proxy >= np.repeat(_tie_floor(seg_max, tol, seg_tot[:, c], criterion), L),
                 np.arange(T), T), seg_off)
    n_pairs = np.bincount(pnode, minlength=m)
    has = np.flatnonzero(n_pairs)
    poff = (np.cumsum(n_pairs) - n_pairs)[has]
    node_max = np.maximum.reduceat(seg_max, poff)
    P = len(pnode)
    best_p = np.minimum.reduceat(
        np.where(seg_max >= np.repeat(_tie_floor(node_max, tol, seg_tot[poff, c], criterion),
                                      n_pairs[has]), np.arange(P), P), poff)
    found = np.isfinite(node_max)
    nodes, bp = has[found], best_p[found]
    t = best_t[bp]
    res_found[nodes] = True
    res_feat[nodes] = pfeat[bp]
    a, b = xs[t].astype(np.float64), xs[t + 1].astype(np.float64)
    thr = a / 2.0 + b / 2.0
    res_thr[nodes] = np.where((thr == b) | np.isinf(thr), a, thr)
    res_L[nodes], res_R[nodes] = lS[t], rS[t]
    res_wl[nodes], res_wr[nodes] = wl[t], wr[t]
    res_nl[nodes] = nl[t]
    return res_found, res_feat, res_thr, res_L, res_R, res_wl, res_wr, res_nl


_BLOCK_CELLS = 1 << 22  # (features x samples x stats) scored at once; bounds the memory


def _score_block(xsorted, SWT, order, starts, counts, node_of, size_ok, criterion, tol,
                 n_classes=None, min_weight_leaf=0.0, unit_nl=None):
    """Best admissible position of every (feature, node) of a block of rows of ``order``:
    its score (db, m), position (db, m), left stats there (db, m, c+1), node totals. The stats
    are gathered as rows (c+1, db, n) from ``SWT`` (c+1, n), so every sum runs along
    contiguous memory. ``unit_nl``: when every weight is 1 (one output, gini or squared
    error), the samples left of each column (n,), which are then the left weights exactly, so
    the weight row is neither gathered nor summed."""
    n_act = order.shape[1]
    c = SWT.shape[0] - 1
    G = SWT[:c if unit_nl is not None else c + 1, order]   # (c or c+1, db, n)
    seg_tot = np.add.reduceat(G, starts, axis=2)            # (c or c+1, db, m)
    G[:, :, starts[1:]] -= seg_tot[:, :, :-1]
    left = np.cumsum(G, axis=2, out=G)
    right = np.repeat(seg_tot, counts, axis=2)
    right -= left
    if unit_nl is None:
        wl, wr, tot_w = left[c], right[c], seg_tot[c]
    else:
        wl, wr = unit_nl, counts[node_of] - unit_nl
        tot_w = np.broadcast_to(counts.astype(np.float64), seg_tot.shape[1:])
    nxt = np.empty_like(xsorted)
    nxt[:, :-1] = xsorted[:, 1:]
    nxt[:, -1] = xsorted[:, -1]
    valid = size_ok[None, :] & (nxt > xsorted + FEATURE_THRESHOLD)
    if min_weight_leaf > 0:
        valid &= (wl >= min_weight_leaf) & (wr >= min_weight_leaf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if _n_outputs(n_classes) == 1 and criterion != "entropy":
            proxy = _proxy_rows(criterion, left[:c], wl, right[:c], wr)
        else:
            L2, R2 = left.reshape(c + 1, -1).T, right.reshape(c + 1, -1).T
            proxy = _proxy(criterion, L2[:, :c], L2[:, c], R2[:, :c], R2[:, c],
                           n_classes).reshape(valid.shape)
    proxy = np.where(valid, proxy, -np.inf)
    seg_max = np.maximum.reduceat(proxy, starts, axis=1)
    best_t = np.minimum.reduceat(
        np.where(proxy >= np.repeat(_tie_floor(seg_max, tol, tot_w, criterion), counts, axis=1),
                 np.arange(n_act), n_act),
        starts, axis=1)
    best_t = np.minimum(best_t, n_act - 1)
    rows = np.arange(order.shape[0])[:, None]
    left_best = left[:, rows, best_t]
    if unit_nl is not None:
        left_best = np.concatenate([left_best, unit_nl[best_t][None]])
        seg_tot = np.concatenate([seg_tot, tot_w[None]])
    return seg_max, best_t, left_best.transpose(1, 2, 0), seg_tot.transpose(1, 2, 0)


def _best_splits_all(xsorted, SWT, order, starts, counts, act, criterion, tol, min_samples_leaf,
                     draws, n_classes=None, min_weight_leaf=0.0, unit_weight=False):
    """Same result as :func:`_best_splits` when every feature is searched, without gathering
    segments: each row of ``order`` already lists every node's samples sorted by that feature,
    so whole (features, samples) blocks are scored at once and each node picks its first best
    feature in a random feature order (the same draws as the general path). ``unit_weight``:
    every sample of ``order`` has weight 1."""
    d, n_act = order.shape
    c = SWT.shape[0] - 1
    m = len(starts)
    node_of = np.repeat(np.arange(m), counts)
    nl = np.arange(n_act) - starts[node_of] + 1
    size_ok = (nl >= min_samples_leaf) & (counts[node_of] - nl >= min_samples_leaf)
    unit = unit_weight and _n_outputs(n_classes) == 1 and criterion != "entropy"
    unit_nl = nl.astype(np.float64) if unit else None
    step = max(1, _BLOCK_CELLS // (n_act * (c + 1)))
    blocks = [_score_block(xsorted[f:f + step], SWT, order[f:f + step], starts, counts, node_of,
                           size_ok, criterion, tol, n_classes, min_weight_leaf, unit_nl)
              for f in range(0, d, step)]
    seg_max, best_t, left_best, seg_tot = (np.concatenate(parts) for parts in zip(*blocks))
    perm = np.argsort(draws, axis=1)
    in_order = np.take_along_axis(seg_max[:, act].T, perm, axis=1)
    floor = _tie_floor(in_order.max(axis=1), tol, seg_tot[0, act, c], criterion)
    j = np.argmax(in_order >= floor[:, None], axis=1)
    rows = np.arange(len(act))
    feat = perm[rows, j]
    found = np.isfinite(in_order[rows, j])
    t = np.where(found, best_t[feat, act], 0)
    a, b = xsorted[feat, t].astype(np.float64), xsorted[feat, np.minimum(t + 1, n_act - 1)]
    b = b.astype(np.float64)
    thr = a / 2.0 + b / 2.0
    thr = np.where((thr == b) | np.isinf(thr), a, thr)
    lsel = left_best[feat, act]
    rsel = seg_tot[feat, act] - lsel
    return (found, np.where(found, feat, TREE_UNDEFINED), np.where(found, thr, TREE_UNDEFINED),
            lsel[:, :c], rsel[:, :c], lsel[:, c], rsel[:, c], nl[t])


def _node_stats(grouped: np.ndarray, sizes: np.ndarray, S: np.ndarray, w: np.ndarray,
                SQ: np.ndarray | None):
    """Stats S (m, c), weight W (m,) and SQ (m,) of the nodes of a level, summed afresh from
    their samples (``grouped``: node after node, ``sizes`` each) as scikit-learn sums a node's
    samples when it starts on it: no rounding carried down from the parent, and a pure node's
    class total equals its weight bit for bit (its impurity is exactly 0)."""
    starts = np.cumsum(sizes) - sizes
    node_S = np.add.reduceat(S[grouped], starts, axis=0)
    node_W = np.add.reduceat(w[grouped], starts)
    node_SQ = None if SQ is None else np.add.reduceat(SQ[grouped], starts)
    return node_S, node_W, node_SQ


def _constant_nodes(targets: np.ndarray, grouped: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per node of a level, whether all its targets are equal; ``grouped`` lists the level's
    samples node after node (``sizes`` each)."""
    vals = targets[grouped]
    starts = np.cumsum(sizes) - sizes
    return np.all(np.maximum.reduceat(vals, starts) == np.minimum.reduceat(vals, starts), axis=1)


def _class_fractions(P: np.ndarray, n_classes: tuple[int, ...] | None) -> np.ndarray:
    """Node class fractions (m, Σ n_classes) laid out as scikit-learn's ``value``:
    (m, n_outputs, max n_classes), zero-padded."""
    if _n_outputs(n_classes) == 1:
        return P[:, None, :]
    value = np.zeros((len(P), len(n_classes), max(n_classes)))
    start = 0
    for k, c in enumerate(n_classes):
        value[:, k, :c] = P[:, start:start + c]
        start += c
    return value


def _regroup(order, xsorted, n, samples, go_left, node_of, sizes, split, n_left):
    """``order`` and ``xsorted`` (d, n_act) regrouped for the next level: in every row, each
    node ``split[i]`` becomes its left then its right child, each keeping the row's sorted
    order (a stable partition), and the samples of nodes not split are dropped. ``go_left``:
    per sample of ``samples`` (the level's ``n``-indexed samples node after node, ``node_of``
    each one's node); ``n_left`` per split node.

    No sort: a sample's new column is its child's start plus the number of the row's samples
    of that child before it. Left of a split node ``t`` (columns ``[s_t, s_t + N_t)``), that
    count is ``C - B_t``, with ``C`` the row's running count of left-goers before the column
    and ``B_t`` the left-goers of earlier nodes (the same in every row, as every row lists the
    same samples per node); right, it is ``(j - s_t) - (C - B_t)`` at column ``j``."""
    d, n_act = order.shape
    m = len(sizes)
    starts = np.cumsum(sizes) - sizes
    is_split = np.zeros(m, dtype=bool)
    is_split[split] = True
    gl = np.zeros(n, dtype=bool)
    gl[samples] = go_left & is_split[node_of]
    left_n = np.zeros(m, dtype=np.intp)
    left_n[split] = n_left
    base = np.cumsum(left_n) - left_n                         # B_t
    child_size = np.zeros(m, dtype=np.intp)
    child_size[split] = sizes[split]
    child_start = np.cumsum(child_size) - child_size          # left child's first column
    n_next = int(child_size.sum())
    # dropped nodes: C stays B_t inside them, so the "right" formula lands in [n_next, n_act)
    drop_size = sizes - child_size
    drop_start = n_next + np.cumsum(drop_size) - drop_size
    col_a = (child_start - base)[node_of]
    col_b = np.where(is_split, child_start + left_n - starts + base, drop_start - starts + base)
    col_b = col_b[node_of] + np.arange(n_act)
    GL = gl[order]
    C = np.cumsum(GL, axis=1)
    C -= GL
    dest = np.where(GL, col_a + C, col_b - C)
    dest += (np.arange(d) * n_act)[:, None]
    dest = dest.ravel()
    new_order = np.empty(d * n_act, dtype=order.dtype)
    new_order[dest] = order.ravel()
    new_x = np.empty(d * n_act, dtype=xsorted.dtype)
    new_x[dest] = xsorted.ravel()
    return (new_order.reshape(d, n_act)[:, :n_next].copy(),
            new_x.reshape(d, n_act)[:, :n_next].copy())


def presort(X: np.ndarray) -> np.ndarray:
    """Sample indices sorting each feature, shape ``(d, n)``; shared by all trees of an ensemble."""
    return np.argsort(np.ascontiguousarray(X.T), axis=1).astype(np.intp, copy=False)


PER_TREE = ("S", "w", "rng", "SQ", "offset", "min_weight_leaf")  # build_tree's own per tree
_BATCH_CELLS = 1 << 23  # (features x samples x stats) of the trees grown together


def build_tree(X: np.ndarray, S: np.ndarray, w: np.ndarray, *, rng: np.random.RandomState,
               SQ: np.ndarray | None = None, offset: np.ndarray | None = None,
               min_weight_leaf: float = 0.0, **shared) -> Tree:
    """Grow a tree on float32 ``X`` (n, d) with per-sample stats ``S`` (n, c) already multiplied
    by the weights ``w`` (n,): weighted one-hot classes, or weighted centred targets with their
    weighted squared norms ``SQ`` (n,). ``offset`` (c,) is added back to regression node means.
    Samples of weight 0 take no part (bootstrap). ``min_weight_leaf``: least total sample weight
    a child may hold. ``rng`` draws each level's feature orders. ``shared``: the keywords of
    :func:`build_trees`."""
    job = dict(S=S, w=w, rng=rng, SQ=SQ, offset=offset, min_weight_leaf=min_weight_leaf)
    return build_trees(X, [job], **shared)[0]


def build_trees(X: np.ndarray, jobs: list[dict], *, criterion: str, max_depth: int,
                min_samples_split: int, min_samples_leaf: int, max_features: int,
                min_impurity_decrease: float, order: np.ndarray | None = None,
                n_classes: tuple[int, ...] | None = None,
                targets: np.ndarray | None = None) -> list[Tree]:
    """Grow one tree per job (a dict of :func:`build_tree`'s per-tree arguments, ``PER_TREE``)
    on the same ``X``, all at once: the trees' nodes of a depth are searched and split together
    (each tree's samples are numbered apart, ``tree · n + sample``), so the per-level NumPy
    calls are paid once for a whole forest. Each tree draws from its own ``rng`` exactly what
    it would alone, so every tree equals :func:`build_tree`'s. ``order`` may be a shared
    :func:`presort`. Several classification outputs: ``S`` holds each output's weighted
    one-hot columns side by side, ``n_classes`` their widths; the impurity is the mean over
    outputs. ``targets`` (n, c): the regression targets themselves; a node whose targets are
    all equal is a leaf even when the rounding of Σw y² / W - (Σw y / W)² leaves its impurity
    a few ulps above EPSILON (else a row of weight 2 and the same row twice could end in
    different trees)."""
    n, d = X.shape
    if order is None:
        order = presort(X)
    shared = dict(criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                  min_samples_leaf=min_samples_leaf, max_features=max_features,
                  min_impurity_decrease=min_impurity_decrease, order=order, n_classes=n_classes,
                  targets=targets)
    tols = {tie_tolerance(criterion, job["w"]) for job in jobs}
    leaf_weights = {float(job.get("min_weight_leaf", 0.0)) for job in jobs}
    per_batch = max(1, _BATCH_CELLS // max(1, n * d * (jobs[0]["S"].shape[1] + 1)))
    if len(jobs) > 1 and (len(tols) > 1 or len(leaf_weights) > 1 or len(jobs) > per_batch):
        if len(tols) > 1 or len(leaf_weights) > 1:   # the tie rule or leaf weight differ
            per_batch = 1
        return [tree for i in range(0, len(jobs), per_batch)
                for tree in build_trees(X, jobs[i:i + per_batch], **shared)]
    return _grow_together(X, jobs, tols.pop(), leaf_weights.pop(), **shared)


def _stack_jobs(jobs: list[dict], order: np.ndarray, n: int):
    """The trees' samples side by side: stats, weights, SQ stacked (tree · n + sample), and
    ``order`` restricted to each tree's samples of positive weight, the trees' blocks side by
    side (d, Σ n_t); the number of samples of each tree."""
    d = order.shape[0]
    S = np.concatenate([job["S"] for job in jobs])
    w = np.concatenate([job["w"] for job in jobs])
    SQ = None if jobs[0].get("SQ") is None else np.concatenate([job["SQ"] for job in jobs])
    blocks = []
    for t, job in enumerate(jobs):
        keep = job["w"] > 0
        block = order if keep.all() else order[keep[order]].reshape(d, -1)
        blocks.append(block + t * n if t else block)
    sizes = np.array([b.shape[1] for b in blocks])
    return S, w, SQ, np.concatenate(blocks, axis=1) if len(blocks) > 1 else blocks[0], sizes


def _level_draws(rngs: list, tree_of: np.ndarray, d: int) -> np.ndarray:
    """Uniform draws (m, d) for the feature orders of ``m`` nodes grouped by tree in tree order
    (``tree_of``): each tree's rows from its own generator, as many as it has nodes."""
    if len(rngs) == 1:
        return rngs[0].random_sample((len(tree_of), d))
    per_tree = np.bincount(tree_of, minlength=len(rngs))
    return np.concatenate([rngs[t].random_sample((per_tree[t], d))
                           for t in np.flatnonzero(per_tree)])


def _grow_together(X, jobs, tol, min_weight_leaf, *, criterion, max_depth, min_samples_split,
                   min_samples_leaf, max_features, min_impurity_decrease, order, n_classes,
                   targets) -> list[Tree]:
    """:func:`build_trees` for trees sharing the tie tolerance and least leaf weight."""
    n, d = X.shape
    n_trees = len(jobs)
    S, w, SQ, order, lv_N = _stack_jobs(jobs, order, n)
    rngs = [job["rng"] for job in jobs]
    real = order % n if n_trees > 1 else order                 # rows of X
    xsorted = X.T.ravel()[real + (np.arange(d) * n)[:, None]]   # feature values in ``order``
    is_reg = SQ is not None
    SWT = np.vstack([S.T, w])                        # per-sample stats and weight, as rows
    unit_weight = bool(np.all((w == 0.0) | (w == 1.0)))  # weight-0 samples are never searched
    lv_tree = np.arange(n_trees)
    lv_S, lv_W, lv_SQ = _node_stats(order[0], lv_N, S, w, SQ)
    root_W = lv_W
    # per-level node arrays, concatenated at the end (breadth-first numbering)
    out = {k: [] for k in ("feat", "thr", "left", "right", "S", "W", "N", "imp", "tree")}
    n_nodes, depth = n_trees, 0
    deepest = np.zeros(n_trees, dtype=np.intp)
    while len(lv_W):
        m = len(lv_W)
        imp = node_impurity(criterion, lv_S, lv_W, lv_SQ, n_classes)
        splittable = ~((depth >= max_depth) | (lv_N < min_samples_split)
                       | (lv_N < 2 * min_samples_leaf) | (lv_W < 2 * min_weight_leaf)
                       | (imp <= EPSILON))
        if targets is not None:
            splittable &= ~_constant_nodes(targets, order[0] % n, lv_N)
        feat = np.full(m, TREE_UNDEFINED, dtype=np.intp)
        thr = np.full(m, float(TREE_UNDEFINED))
        left = np.full(m, TREE_LEAF, dtype=np.intp)
        right = np.full(m, TREE_LEAF, dtype=np.intp)
        for key, arr in (("S", lv_S), ("W", lv_W), ("N", lv_N), ("imp", imp), ("feat", feat),
                         ("thr", thr), ("left", left), ("right", right), ("tree", lv_tree)):
            out[key].append(arr)   # feat/thr/left/right are filled in below, in place
        deepest[lv_tree] = depth
        act = np.flatnonzero(splittable)
        if len(act) == 0:
            break
        draws = _level_draws(rngs, lv_tree[act], d)
        all_starts = np.cumsum(lv_N) - lv_N            # ``order`` holds every node of the level
        if max_features >= d:
            found, f, th, LS, RS, WL, WR, NL = _best_splits_all(
                xsorted, SWT, order, all_starts, lv_N, act, criterion, tol, min_samples_leaf,
                draws, n_classes, min_weight_leaf, unit_weight=unit_weight)
        else:
            found, f, th, LS, RS, WL, WR, NL = _best_splits(
                xsorted, SWT, order, all_starts[act], lv_N[act], criterion, tol, min_samples_leaf,
                max_features, draws, n_classes, min_weight_leaf)
        if not found.any():
            break
        node_of = np.repeat(np.arange(m), lv_N)          # level node of each column of ``order``
        samples = order[0]
        f_lv = np.zeros(m, dtype=np.intp)
        th_lv = np.full(m, np.inf)
        f_lv[act[found]], th_lv[act[found]] = f[found], th[found]
        go_left = X[samples % n if n_trees > 1 else samples, f_lv[node_of]] <= th_lv[node_of]
        sq_l = sq_r = None
        if is_reg:
            sq_l = np.bincount(node_of, weights=SQ[samples] * go_left, minlength=m)[act]
            sq_r = np.bincount(node_of, weights=SQ[samples] * ~go_left, minlength=m)[act]
        if min_impurity_decrease > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                il = node_impurity(criterion, LS, WL, sq_l, n_classes)
                ir = node_impurity(criterion, RS, WR, sq_r, n_classes)
            Wa = lv_W[act]
            gain = (Wa / root_W[lv_tree[act]]) * (imp[act] - WL / Wa * il - WR / Wa * ir)
            found &= ~(gain + EPSILON < min_impurity_decrease)
            if not found.any():
                break
        split = act[found]
        k = len(split)
        feat[split], thr[split] = f[found], th[found]
        left[split] = n_nodes + 2 * np.arange(k)
        right[split] = left[split] + 1
        # children, interleaved left/right
        NLf = NL[found]
        ch_N = np.empty(2 * k, dtype=np.intp)
        ch_N[0::2], ch_N[1::2] = NLf, lv_N[split] - NLf
        # regroup the sorted sample lists by child (a stable partition), dropping finished nodes
        order, xsorted = _regroup(order, xsorted, n * n_trees, samples, go_left, node_of, lv_N,
                                  split, NLf)
        lv_N = ch_N
        lv_tree = np.repeat(lv_tree[split], 2)
        lv_S, lv_W, lv_SQ = _node_stats(order[0], lv_N, S, w, SQ)
        n_nodes += 2 * k
        depth += 1
    cat = {k: np.concatenate(v) for k, v in out.items()}
    Sall, Wall = cat["S"], cat["W"]
    if is_reg:
        offsets = np.array([np.zeros(S.shape[1]) if job.get("offset") is None else job["offset"]
                            for job in jobs])
        value = (Sall / Wall[:, None] + offsets[cat["tree"]])[:, :, None]
    else:
        value = _class_fractions(Sall / Wall[:, None], n_classes)
    return _split_by_tree(cat, value, deepest)


def _split_by_tree(cat: dict, value: np.ndarray, deepest: np.ndarray) -> list[Tree]:
    """The trees of nodes numbered across trees (level by level, trees in turn within a level):
    each tree's nodes keep their order, which is the tree's own breadth-first numbering, and
    child ids are renumbered within the tree."""
    tree_of = cat["tree"]
    n_trees = len(deepest)
    if n_trees == 1:
        nodes = [slice(None)]
        local = None
    else:
        by_tree = np.argsort(tree_of, kind="stable")
        per_tree = np.bincount(tree_of, minlength=n_trees)
        first = np.cumsum(per_tree) - per_tree
        local = np.empty(len(tree_of), dtype=np.intp)
        local[by_tree] = np.arange(len(tree_of)) - np.repeat(first, per_tree)
        nodes = [by_tree[first[t]:first[t] + per_tree[t]] for t in range(n_trees)]

    def children(ids):
        return ids if local is None else np.where(ids >= 0, local[ids], ids)

    return [Tree(children_left=children(cat["left"][sel]),
                 children_right=children(cat["right"][sel]), feature=cat["feat"][sel],
                 threshold=cat["thr"][sel], value=value[sel], impurity=cat["imp"][sel],
                 n_node_samples=cat["N"][sel], weighted_n_node_samples=cat["W"][sel],
                 max_depth=int(deepest[t])) for t, sel in enumerate(nodes)]
