"""Can a random forest overfit? Train/test accuracy against tree depth and number of trees on noisy labels."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import DecisionTreeClassifier, RandomForestClassifier
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result

FLIP = 0.3  # share of training and test labels flipped at random: the Bayes accuracy is 1 - FLIP
DEPTHS = (1, 2, 4, 8, None)


def noisy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian features, y = [x₀ + x₁ > 0] with a FLIP share of labels flipped."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, np.where(rng.random(n) < FLIP, 1 - y, y)


def sub_forest_accuracy(forest, k: int, X, y) -> float:
    """Accuracy of the forest made of its first k trees (mean of their class probabilities)."""
    proba = np.mean([tree.predict_proba(X) for tree in forest.estimators_[:k]], axis=0)
    return accuracy_score(y, forest.classes_[np.argmax(proba, axis=1)])


def forest_drops(test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over forests of acc(first k trees) − acc(all trees), per k.
    ``test``: (forests, sizes), the last column the whole forest."""
    diff = test - test[:, -1:]
    return diff.mean(axis=0), diff.std(axis=0, ddof=1) / np.sqrt(len(test))


def compute(quick: bool) -> Result:
    r = Result()
    n_train, n_trees, n_forests = (300, 25, 8) if quick else (600, 101, 20)
    X, y = noisy(n_train, seed=1)
    Xt, yt = noisy(2000, seed=2)
    r.number("n_train", n_train)
    r.number("n_trees", n_trees)
    r.number("flip", FLIP)
    r.number("bayes_accuracy", 1 - FLIP)
    rows = []
    for d in DEPTHS:
        tag = "full" if d is None else str(d)
        rf = RandomForestClassifier(n_estimators=n_trees, max_depth=d, oob_score=True, random_state=0).fit(X, y)
        r.number(f"rf_oob_depth_{tag}", rf.oob_score_, "RandomForestClassifier(oob_score=True).fit(X, y).oob_score_")
        tree = DecisionTreeClassifier(max_depth=d, random_state=0).fit(X, y)
        vals = [accuracy_score(y, rf.predict(X)), accuracy_score(yt, rf.predict(Xt)),
                accuracy_score(y, tree.predict(X)), accuracy_score(yt, tree.predict(Xt))]
        for name, v in zip(("rf_train", "rf_test", "tree_train", "tree_test"), vals):
            r.number(f"{name}_depth_{tag}", v, f"accuracy_score(..., RandomForestClassifier({n_trees}, max_depth={d}))"
                     if name.startswith("rf") else None)
        rows.append(["none" if d is None else d, *vals, rf.oob_score_])
        if d is None:
            full = rf
    r.table(f"Accuracy vs max_depth ({n_trees} trees; labels {FLIP:.0%} flipped)",
            ["max_depth", "forest train", "forest test", "single tree train", "single tree test", "forest OOB"], rows)

    # Trees: one forest's table moves by chance with the trees it happened to draw, so the claim is
    # judged on `forests` forests (seeds 0..forests-1): each sub-forest of the first k trees against
    # the whole forest, paired within a forest. Odd k: fully grown trees vote 0/1, so no ties.
    sizes = [k for k in (1, 3, 5, 11, 25, 51, 101) if k <= n_trees]
    forests = [full] + [RandomForestClassifier(n_estimators=n_trees, random_state=seed).fit(X, y)
                        for seed in range(1, n_forests)]
    test = np.array([[sub_forest_accuracy(f, k, Xt, yt) for k in sizes] for f in forests])  # (forests, sizes)
    train_by_size = [sub_forest_accuracy(full, k, X, y) for k in sizes]
    drop, drop_se = forest_drops(test)
    r.number("forests", n_forests)
    r.table(f"Accuracy vs number of trees (full depth; test averaged over {n_forests} forests)",
            ["trees", "train (forest 0)", "test (forest 0)", f"test (mean of {n_forests})",
             f"test gain of all {n_trees} trees", "± s.e."],
            [[k, a, b, c, d, e] for k, a, b, c, d, e in
             zip(sizes, train_by_size, test[0], test.mean(axis=0), -drop, drop_se)])
    r.number("test_1_tree", test[:, 0].mean(), f"mean over {n_forests} forests of the first tree's test accuracy")
    r.number("test_all_trees", test[:, -1].mean())
    r.number("worst_gain", float(np.min(-drop[:-1])), "min over k < n_trees of mean(acc(all) - acc(first k))")
    r.number("worst_gain_se", float(drop_se[np.argmin(-drop[:-1])]))
    r.number("single_forest_max_drop", float(np.max(test[:, :-1] - test[:, 1:])),
             "largest test-accuracy fall from one size to the next within one forest")
    r.number("oob_accuracy", r.numbers["rf_oob_depth_full"])

    oob_by_depth = {d: r.numbers[f"rf_oob_depth_{d}"] for d in ("1", "2", "4", "8")}
    best_depth = max(oob_by_depth, key=oob_by_depth.get)  # chosen by out-of-bag score, not by the test set
    r.number("best_depth", int(best_depth))
    r.number("rf_test_best", r.numbers[f"rf_test_depth_{best_depth}"])
    r.number("rf_gap_full", r.numbers["rf_train_depth_full"] - r.numbers["rf_test_depth_full"])
    r.number("tree_gap_full", r.numbers["tree_train_depth_full"] - r.numbers["tree_test_depth_full"])
    r.number("depth_gain", r.numbers["rf_test_best"] - r.numbers["rf_test_depth_full"])

    # adding trees costs accuracy only if some smaller forest beats the whole one by more than 2 s.e.
    r.check("more-trees-no-overfit", bool(np.all(-drop[:-1] > -2 * drop_se[:-1])))
    memorises = r.numbers["rf_train_depth_full"] > 1 - FLIP / 2  # it reproduces flipped labels it cannot predict
    if not memorises:
        r.verdict("rf-cannot-overfit", "confirmed")
    else:  # it fits noise; whether that costs test accuracy is what decides
        r.verdict("rf-cannot-overfit", "corrected" if r.numbers["depth_gain"] > 0.01 else "contested")
    r.check("forest-less-than-tree", r.numbers["rf_test_depth_full"] > r.numbers["tree_test_depth_full"])
    r.condition(f"Noisy labels ({FLIP:.0%} flipped, Bayes accuracy {1 - FLIP:.2f}) and a small training set: the "
                "regime where fully grown trees memorise noise.")

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    xs = range(len(DEPTHS))
    for name, style in (("rf_train", "C0--"), ("rf_test", "C0-"), ("tree_train", "C3--"), ("tree_test", "C3-")):
        axes[0].plot(xs, [r.numbers[f"{name}_depth_{'full' if d is None else d}"] for d in DEPTHS], style, marker="o",
                     label=name.replace("_", " "))
    axes[0].axhline(1 - FLIP, color="k", lw=1, ls=":", label="Bayes accuracy")
    axes[0].set_xticks(list(xs), ["none" if d is None else str(d) for d in DEPTHS])
    axes[0].set(xlabel="max_depth", ylabel="accuracy", title="Depth: the forest fits the noise")
    axes[0].legend(fontsize=7)
    axes[1].semilogx(sizes, train_by_size, "C0--o", label="train (forest 0)")
    axes[1].semilogx(sizes, test[0], "C0:o", label="test (forest 0)")
    axes[1].errorbar(sizes, test.mean(axis=0), yerr=2 * drop_se, fmt="C0-o", label=f"test, mean of {n_forests}")
    axes[1].axhline(1 - FLIP, color="k", lw=1, ls=":")
    axes[1].set(xlabel="number of trees", title="Trees: test accuracy against forest size")
    axes[1].legend(fontsize=7)
    r.figure("rf-overfit", fig, "Left: train/test accuracy against depth. Right: against the number of trees "
             "(error bars: 2 standard errors of the paired difference to the whole forest).")
    return r


ENTRY = Entry(
    id="random-forest",
    section="A",
    title={"zh": "随机森林会过拟合吗", "en": "Can a random forest overfit?"},
    keywords=["random forest", "随机森林", "overfit", "过拟合", "max_depth", "树的深度", "n_estimators", "oob", "bagging"],
    claims={
        "more-trees-no-overfit": {"en": "Adding more trees does not make a random forest overfit.",
                                  "zh": "增加树的数量不会使随机森林过拟合。"},
        "rf-cannot-overfit": {
            "en": "Random forests don't overfit: averaging random trees cancels the errors they learn from noise.",
            "zh": "随机森林不会过拟合：对随机树取平均会抵消它们从噪声中学到的误差。"},
        "forest-less-than-tree": {"en": "A random forest overfits less than a single decision tree of the same depth.",
                                  "zh": "随机森林比同样深度的单棵决策树更不容易过拟合。"},
    },
    answer={
        "en": r"""
Two different knobs hide behind "can it overfit". **The number of trees** only reduces
variance: the forest's vote converges to its expectation as trees are added (Breiman's law of
large numbers), so test accuracy rises then plateaus. Averaged over {=forests} forests, it is
{=test_1_tree:.3f} with one tree and {=test_all_trees:.3f} with {=n_trees}; the whole forest against
its best smaller sub-forest gains {=worst_gain:.4f} ± {=worst_gain_se:.4f} (paired standard error).
One forest's table is noisier: within a single forest, test accuracy fell by up to
{=single_forest_max_drop:.3f} from one size to the next, by the luck of the trees drawn, which is
why the claim is judged on the average.

**The depth of each tree** is a different matter. Each fully grown tree puts every training
point in its own pure leaf, and averaging trees that all memorised the same flipped labels
does not undo it. On {=n_train} points whose labels are {=flip:.0%} flipped (so no model can
beat {=bayes_accuracy:.2f} on test), the forest's training accuracy at full depth is
{=rf_train_depth_full:.3f} — it reproduces noise — against {=rf_test_depth_full:.3f} on test
(gap {=rf_gap_full:.3f}). Limiting depth to {=best_depth} (the depth with the best out-of-bag
score) gives test {=rf_test_best:.3f} (+{=depth_gain:.3f}). The single tree is worse: gap {=tree_gap_full:.3f}, test
{=tree_test_depth_full:.3f}.

**Verdict.** Forests overfit less than trees and do not overfit *by adding trees*, but they do
fit noise, and on a noisy low-dimensional problem like this one that costs test accuracy. Tune `max_depth` /
`min_samples_leaf` / `max_features` with validation or the out-of-bag score, which is an honest
estimate for free ({=oob_accuracy:.3f} here, close to test — unlike training accuracy).
""",
        "zh": r"""
"会不会过拟合"背后是两个不同的旋钮。**树的数量**只降低方差：随着树的增加，森林的投票收敛到其期望
（Breiman 的大数定律），因此测试准确率先上升后持平。对 {=forests} 个森林取平均，1 棵树为 {=test_1_tree:.3f}，
{=n_trees} 棵为 {=test_all_trees:.3f}；整片森林相对它最好的较小子森林的增益为 {=worst_gain:.4f} ± {=worst_gain_se:.4f}
（配对标准误）。单个森林的表格噪声更大：在同一个森林里，测试准确率从一个规模到下一个规模最多下降了
{=single_forest_max_drop:.3f}，这只是抽到哪些树的运气，所以这一论断按平均值来判断。

**每棵树的深度**则是另一回事。完全生长的树把每个训练点放进一个纯叶子，而把都记住了同一批错误标签的树平均起来，
并不能消除这种记忆。在 {=n_train} 个标签被随机翻转 {=flip:.0%} 的样本上（任何模型的测试准确率都不可能超过
{=bayes_accuracy:.2f}），完全生长的森林训练准确率为 {=rf_train_depth_full:.3f}——它复现了噪声——而测试准确率为
{=rf_test_depth_full:.3f}（差距 {=rf_gap_full:.3f}）。把深度限制为 {=best_depth}（袋外分数最好的深度），测试准确率为 {=rf_test_best:.3f}
（提高 {=depth_gain:.3f}）。单棵树更差：差距 {=tree_gap_full:.3f}，测试准确率 {=tree_test_depth_full:.3f}。

**结论。** 森林比单棵树更不容易过拟合，增加树的数量也不会导致过拟合，但它确实会拟合噪声；在本例这样噪声大、维度低的问题上，
这会降低测试准确率。应通过验证集或袋外（OOB）分数调节 `max_depth`、`min_samples_leaf`、`max_features`；OOB 分数
是免费的诚实估计（本例 {=oob_accuracy:.3f}，与测试准确率接近，而训练准确率则不然）。
""",
    },
    compute=compute,
)
