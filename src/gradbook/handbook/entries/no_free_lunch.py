"""No free lunch: two learners, two problem families, each wins one; averaged over all problems, a tie."""
from __future__ import annotations

from itertools import product

import numpy as np

from ... import backend
from ...classic import DecisionTreeClassifier, LogisticRegression
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result

LEARNERS = {"logistic regression": lambda: LogisticRegression(),
            "decision tree": lambda: DecisionTreeClassifier(random_state=0)}


def problem(family: str, n: int, instance: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples of one random problem of a family: 'oblique' = a random hyperplane through 0 in 5
    dimensions; 'checkerboard' = a 4x4 board on [0, 1]² whose cell colours are drawn at random."""
    rule = backend.spawn_rng(instance)
    rng = backend.spawn_rng(seed)
    if family == "oblique":
        w = rule.normal(size=5)
        X = rng.normal(size=(n, 5))
        return X, (X @ w > 0).astype(int)
    colours = rule.integers(0, 2, size=(4, 4))
    X = rng.random((n, 2))
    cells = np.minimum((X * 4).astype(int), 3)
    return X, colours[cells[:, 0], cells[:, 1]]


def cube_points() -> np.ndarray:
    """The 8 corners of {0, 1}³: a domain small enough to enumerate every target function."""
    return np.array(list(product((0, 1), repeat=3)), dtype=float)


def off_training_accuracy(make, X_train, X_test) -> float:
    """Mean accuracy on the unseen points over every labelling of the whole domain whose training
    part has both classes (every labelling of the unseen points is equally likely)."""
    accs = []
    for y_train in product((0, 1), repeat=len(X_train)):
        if len(set(y_train)) < 2:
            continue
        pred = make().fit(X_train, np.array(y_train)).predict(X_test)
        for y_test in product((0, 1), repeat=len(X_test)):
            accs.append(np.mean(pred == np.array(y_test)))
    return float(np.mean(accs))


def compute(quick: bool) -> Result:
    r = Result()
    n_train, instances = (200, 3) if quick else (400, 20)
    r.number("n_train", n_train)
    r.number("instances", instances)
    rows = []
    for family in ("oblique", "checkerboard"):
        accs = {}
        for name, make in LEARNERS.items():
            scores = []
            for k in range(instances):
                X, y = problem(family, n_train, instance=k, seed=100 + k)
                Xt, yt = problem(family, 2000, instance=k, seed=200 + k)
                scores.append(accuracy_score(yt, make().fit(X, y).predict(Xt)))
            key = f"{family}_{'lr' if name.startswith('logistic') else 'tree'}"
            accs[name] = r.number(key, float(np.mean(scores)), f"mean test accuracy_score, {name}, {family}")
        rows.append([family, *accs.values(), max(accs, key=accs.get)])
    r.table(f"Mean test accuracy over {instances} random problems per family (n_train={n_train})",
            ["family", "logistic regression", "decision tree", "winner"], rows)

    X = cube_points()
    train, test = X[:4], X[4:]
    r.number("cube_train_points", len(train))
    r.number("cube_test_points", len(test))
    r.number("nfl_lr", off_training_accuracy(LEARNERS["logistic regression"], train, test),
             "off_training_accuracy(LogisticRegression, ...) over all labellings of {0,1}^3")
    r.number("nfl_tree", off_training_accuracy(LEARNERS["decision tree"], train, test))

    r.check("each-wins-one-family", r.numbers["oblique_lr"] > r.numbers["oblique_tree"] + 0.02
            and r.numbers["checkerboard_tree"] > r.numbers["checkerboard_lr"] + 0.02)
    uniform_tie = abs(r.numbers["nfl_lr"] - 0.5) < 1e-12 and abs(r.numbers["nfl_tree"] - 0.5) < 1e-12
    structured_differ = abs(r.numbers["oblique_lr"] - r.numbers["oblique_tree"]) > 0.02
    r.verdict("all-learners-equal", "depends" if uniform_tie and structured_differ else "contested")
    r.condition("Equal expected performance holds when every target function is equally likely (uniform prior over "
                "all labellings) and accuracy is measured off the training set.")
    r.condition("Real problems are not uniform: on structured families the learner whose bias matches the structure wins.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2))
    pos = np.arange(2)
    ax.bar(pos - 0.2, [r.numbers["oblique_lr"], r.numbers["checkerboard_lr"]], 0.4, label="logistic regression")
    ax.bar(pos + 0.2, [r.numbers["oblique_tree"], r.numbers["checkerboard_tree"]], 0.4, label="decision tree")
    ax.axhline(0.5, color="k", ls=":", lw=1, label="chance = all-problems average")
    ax.set_xticks(pos, ["oblique hyperplanes", "random checkerboards"])
    ax.set(ylim=(0.4, 1.0), ylabel="test accuracy", title="Each learner wins one family")
    ax.legend(fontsize=7, loc="lower left")
    r.figure("nfl", fig, "Mean test accuracy of two learners on two families of problems.")
    return r


ENTRY = Entry(
    id="no-free-lunch",
    section="B",
    title={"zh": "没有免费的午餐定理", "en": "No free lunch"},
    keywords=["no free lunch", "NFL", "没有免费的午餐", "免费午餐", "inductive bias", "归纳偏好"],
    claims={
        "each-wins-one-family": {
            "en": "If learner A beats learner B on some problems, there are problems where B beats A.",
            "zh": "若学习算法 A 在某些问题上比 B 好，则必然存在另一些问题，B 比 A 好。"},
        "all-learners-equal": {
            "en": "Over all problems, however clever A and however clumsy B, their expected performance is the same.",
            "zh": "对于所有问题，无论学习算法 A 多聪明、B 多笨拙，它们的期望性能相同。"},
    },
    answer={
        "en": r"""
**The theorem.** Fix a finite input space and a training set. If every labelling of the unseen
points is equally likely, then any learner's predictions on those points are right exactly half
the time on average, because for each prediction the labellings that agree and disagree come in
equal numbers. We enumerate it on the cube $\{0,1\}^3$: {=cube_train_points} points for
training, {=cube_test_points} unseen, every labelling. Mean off-training-set accuracy:
logistic regression {=nfl_lr}, decision tree {=nfl_tree}.

**Each wins one family.** The uniform prior is the whole point: it treats a smooth function and
random noise as equally likely. Real problems have structure, and a learner wins where its
inductive bias matches it. Over {=instances} random problems per family with {=n_train}
training points: on **oblique hyperplanes** in 5-D, logistic regression scores
{=oblique_lr:.3f} and the tree {=oblique_tree:.3f} (axis-aligned splits must staircase a slanted
boundary); on **random 4x4 checkerboards**, the tree scores {=checkerboard_tree:.3f} and
logistic regression {=checkerboard_lr:.3f} (no single line separates the cells).

**Reading.** There is no learner that is best for every problem; "which algorithm is better" only
has an answer for a given distribution of problems. This is why we validate on data from the
task at hand and why assumptions (linearity, locality, smoothness, translation invariance) are
the real content of a model.
""",
        "zh": r"""
**定理本身。** 固定一个有限输入空间和一个训练集。如果未见样本的每一种标注都同样可能，那么任何学习算法在这些点上的
预测平均恰好对一半：对每个预测值，与之相符和不符的标注数量相等。我们在立方体 $\{0,1\}^3$ 上穷举验证：
{=cube_train_points} 个点用于训练，{=cube_test_points} 个点未见，遍历所有标注。训练集外的平均准确率：逻辑回归
{=nfl_lr}，决策树 {=nfl_tree}。

**各赢一类问题。** 关键在于"均匀先验"：它把光滑函数和随机噪声看作同样可能。真实问题有结构，学习算法在其归纳偏好与
结构相符的地方获胜。每类随机生成 {=instances} 个问题、训练样本 {=n_train} 个：在 5 维**斜超平面**问题上，逻辑回归为
{=oblique_lr:.3f}，决策树为 {=oblique_tree:.3f}（轴对齐划分只能用阶梯逼近斜边界）；在**随机 4x4 棋盘**问题上，
决策树为 {=checkerboard_tree:.3f}，逻辑回归为 {=checkerboard_lr:.3f}（一条直线无法分开这些格子）。

**如何理解。** 不存在对所有问题都最好的学习算法；"哪个算法更好"只有在给定问题分布时才有答案。这正是要在目标任务的
数据上做验证的原因，也说明模型的真正内容是它的假设（线性、局部性、平滑性、平移不变性）。
""",
    },
    compute=compute,
)
