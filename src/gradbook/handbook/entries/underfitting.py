"""Fixing underfitting: the notes' four remedies (more features or feature combinations, a smaller
regularisation weight, a bigger model, boosting), each swept from an underfitting starting point on the
digits, with training and test accuracy at every step."""
from __future__ import annotations

import numpy as np

from ... import backend, models
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, scores, train_net

LR = 1e-2
WIDTHS = [1, 2, 4, 8, 32]                  # one hidden layer of this width
DECAYS = [1.0, 0.1, 1e-2, 1e-3, 0.0]       # L2 weight decay on a 64-32-10 MLP
FEATURES = ["2x2 block means", "4x4 block means", "64 pixels", "pixels + pairwise products"]
STAGES = [1, 3, 10]                        # boosting stages of depth-1 trees
GAIN = 0.05                                # a sweep "fixes" underfitting when accuracy rises by more than this


def block_means(images: np.ndarray, blocks: int) -> np.ndarray:
    """(N, 1, 8, 8) → (N, blocks²): the mean of each of blocks × blocks equal squares."""
    n, size = len(images), 8 // blocks
    return images.reshape(n, blocks, size, blocks, size).mean(axis=(2, 4)).reshape(n, -1)


def with_products(images: np.ndarray) -> np.ndarray:
    """The 64 pixels and every product x_i x_j (i ≤ j): 64 + 2080 features, the 'feature combinations'."""
    x = images.reshape(len(images), -1)
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([x, x[:, i] * x[:, j]])


def featurise(images: np.ndarray, name: str) -> np.ndarray:
    maps = {"2x2 block means": lambda x: block_means(x, 2), "4x4 block means": lambda x: block_means(x, 4),
            "64 pixels": lambda x: x.reshape(len(x), -1), "pixels + pairwise products": with_products}
    return maps[name](images).astype(np.float32)


def fit_mlp(sizes, X, y, Xt, yt, steps: int, weight_decay: float = 0.0, seed: int = 0) -> tuple[float, float]:
    """(train accuracy, test accuracy) of MLP(sizes) after ``steps`` of full-batch Adam."""
    backend.manual_seed(seed)
    model = models.MLP(sizes)
    train_net(model, X, y, steps, lr=LR, weight_decay=weight_decay, seed=seed)
    return scores(model, X, y)[0], scores(model, Xt, yt)[0]


def sweep_verdict(train: list[float], test: list[float]) -> str:
    """From the underfitting end of a sweep to the other: confirmed when training and test accuracy both rise
    by more than GAIN; depends when only training accuracy does (the fit improves, generalisation not);
    corrected when training accuracy does not rise."""
    if train[-1] - train[0] <= GAIN:
        return "corrected"
    return "confirmed" if test[-1] - test[0] > GAIN else "depends"


def compute(quick: bool) -> Result:
    from ...classic import GradientBoostingClassifier

    r = Result()
    Xtr, ytr, Xte, yte = digits_images()
    steps = 120 if quick else 300
    sweeps = {}

    sweeps["bigger-model"] = [fit_mlp([64, w, 10], Xtr, ytr, Xte, yte, steps) for w in WIDTHS]
    sweeps["less-regularisation"] = [fit_mlp([64, 32, 10], Xtr, ytr, Xte, yte, steps, weight_decay=d) for d in DECAYS]
    feats = []
    for name in FEATURES:
        A, B = featurise(Xtr, name), featurise(Xte, name)
        feats.append(fit_mlp([A.shape[1], 10], A, ytr, B, yte, steps))  # softmax regression on the features
        r.number(f"n_features_{FEATURES.index(name)}", A.shape[1])
    sweeps["more-features"] = feats
    r.number("pixels_train", feats[2][0], "softmax regression on the 64 pixels: training accuracy")
    r.number("pixels_test", feats[2][1])
    flat, flat_test = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    boosted = []
    for k in STAGES:
        gb = GradientBoostingClassifier(n_estimators=k, max_depth=1, learning_rate=0.5, random_state=0).fit(flat, ytr)
        boosted.append((float(gb.score(flat, ytr)), float(gb.score(flat_test, yte))))
    sweeps["boosting"] = boosted

    settings = {"bigger-model": [f"width {w}" for w in WIDTHS],
                "less-regularisation": [f"λ = {d:g}" for d in DECAYS],
                "more-features": FEATURES, "boosting": [f"{k} stage{'s' * (k > 1)}" for k in STAGES]}
    titles = {"bigger-model": "MLP 64-w-10, hidden width w",
              "less-regularisation": "MLP 64-32-10, L2 weight decay λ",
              "more-features": "softmax regression on features of the image",
              "boosting": "gradient boosting with depth-1 trees (learning rate 0.5)"}
    for claim, results in sweeps.items():
        key = claim.replace("-", "_")
        train, test = [a for a, _ in results], [b for _, b in results]
        r.table(titles[claim], ["setting", "train acc", "test acc", "train − test"],
                [[s, a, b, a - b] for s, a, b in zip(settings[claim], train, test)])
        r.number(f"{key}_train_first", train[0], f"{settings[claim][0]}: training accuracy")
        r.number(f"{key}_test_first", test[0])
        r.number(f"{key}_train_last", train[-1], f"{settings[claim][-1]}: training accuracy")
        r.number(f"{key}_test_last", test[-1])
        r.number(f"{key}_gap_first", train[0] - test[0], "train − test accuracy at the underfitting end")
        r.verdict(claim, sweep_verdict(train, test))
    r.number("best_decay_test", max(b for _, b in sweeps["less-regularisation"]))
    r.number("best_decay", DECAYS[int(np.argmax([b for _, b in sweeps["less-regularisation"]]))])
    r.number("steps", steps)
    r.condition(f"The embedded digits ({len(ytr)} training, {len(yte)} test images); nets trained full-batch with "
                f"Adam (lr {LR}) for {steps} steps; one seed (the sweeps' effects are far above seed noise).")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 4, figsize=(13, 3.2), sharey=True)
    for ax, (claim, results) in zip(axs, sweeps.items()):
        xs = np.arange(len(results))
        ax.plot(xs, [a for a, _ in results], "C0--o", label="train")
        ax.plot(xs, [b for _, b in results], "C0-o", label="test")
        ax.set_xticks(xs)
        ax.set_xticklabels(settings[claim], rotation=30, ha="right", fontsize=7)
        ax.set_title(claim.replace("-", " "), fontsize=9)
    axs[0].set(ylabel="accuracy", ylim=(0, 1.02))
    axs[0].legend(fontsize=7)
    r.figure("underfitting_sweeps", fig, "Each remedy swept from its underfitting end (left): training and test "
                                         "accuracy rise together.")
    return r


ENTRY = Entry(
    id="underfitting",
    section="A",
    title={"zh": "怎么解决欠拟合", "en": "How do you fix underfitting?"},
    keywords=["underfitting", "欠拟合", "bias", "偏差", "capacity", "模型复杂度", "features", "特征", "boosting",
              "正则", "regularisation"],
    claims={
        "more-features": {"en": "The notes: add features or use more feature combinations.",
                          "zh": "笔记原文：增加特征数或者使用较多的特征组合。"},
        "less-regularisation": {"en": "The notes: reduce the regularisation weight.", "zh": "笔记原文：减小正则权重。"},
        "bigger-model": {"en": "The notes: increase the model's complexity.", "zh": "笔记原文：增加模型复杂度。"},
        "boosting": {"en": "The notes: use boosting ensembles.", "zh": "笔记原文：使用 boosting 集成学习。"},
    },
    answer={
        "en": r"""
A model underfits when it cannot fit even its training data: training and test accuracy are both
low and close together (high bias). The cure is the opposite of the cure for overfitting: give the
model more to work with. Each of the notes' four remedies, swept from an underfitting start on the
digits:

- **A bigger model.** One hidden layer of width 1 reaches training accuracy
  {=bigger_model_train_first:.3f} (test {=bigger_model_test_first:.3f}, gap {=bigger_model_gap_first:.3f});
  width 32 reaches {=bigger_model_train_last:.3f} (test {=bigger_model_test_last:.3f}).
- **A smaller regularisation weight.** With L2 weight decay $\lambda = 1$ the 64-32-10 net is pinned
  near zero weights: training accuracy {=less_regularisation_train_first:.3f}. With no penalty it reaches
  {=less_regularisation_train_last:.3f} (test {=less_regularisation_test_last:.3f}); the best test accuracy,
  {=best_decay_test:.3f}, came at $\lambda$ = {=best_decay:g}: too little regularisation is the other
  failure, so "smaller" means smaller until validation accuracy stops rising.
- **More features or feature combinations.** Softmax regression on {=n_features_0} block means of the
  image: training accuracy {=more_features_train_first:.3f}; on the {=n_features_2} pixels
  {=pixels_train:.3f} (test {=pixels_test:.3f}); with the pixels' pairwise products added
  ({=n_features_3} features) training {=more_features_train_last:.3f}, test {=more_features_test_last:.3f}.
  A linear model cannot invent the interactions; giving them to it is what a hidden layer does
  automatically.
- **Boosting.** One boosting stage of depth-1 trees: training accuracy {=boosting_train_first:.3f};
  ten stages: {=boosting_train_last:.3f} (test {=boosting_test_last:.3f}). Boosting lowers bias by
  fitting what the previous stages got wrong (bagging, in contrast, lowers variance).

The signature to look for before choosing a remedy is the gap: at the underfitting end of every
sweep, training and test accuracy are close, so regularising further (the overfitting cure) would
only make it worse. Training longer and a better optimiser help the same way when the loss is
still falling.
""",
        "zh": r"""
欠拟合是指模型连训练数据都拟合不好：训练和测试准确率都低，而且相差不大（高偏差）。解决方法与过拟合相反：给模型更多可利用的东西。
在 digits 上把笔记中的四种方法分别从欠拟合的一端开始扫描：

- **更大的模型。** 隐藏层宽度为 1 时训练准确率 {=bigger_model_train_first:.3f}（测试 {=bigger_model_test_first:.3f}，差
  {=bigger_model_gap_first:.3f}）；宽度 32 时达到 {=bigger_model_train_last:.3f}（测试 {=bigger_model_test_last:.3f}）。
- **减小正则权重。** L2 权重衰减 $\lambda = 1$ 时，64-32-10 网络的权重被压在 0 附近：训练准确率
  {=less_regularisation_train_first:.3f}。不加惩罚时达到 {=less_regularisation_train_last:.3f}（测试
  {=less_regularisation_test_last:.3f}）；测试准确率最高的 {=best_decay_test:.3f} 出现在 $\lambda$ = {=best_decay:g}：
  正则太少是另一种失败，所以"减小"应减到验证集准确率不再上升为止。
- **增加特征或特征组合。** 在 {=n_features_0} 个分块均值上做 softmax 回归：训练准确率 {=more_features_train_first:.3f}；
  在 {=n_features_2} 个像素上为 {=pixels_train:.3f}（测试 {=pixels_test:.3f}）；再加上像素的两两乘积（共 {=n_features_3} 个特征）：
  训练 {=more_features_train_last:.3f}，测试 {=more_features_test_last:.3f}。线性模型自己造不出交互项；把交互项交给它，正是隐藏层自动完成的事。
- **Boosting。** 一轮深度为 1 的树：训练准确率 {=boosting_train_first:.3f}；十轮：{=boosting_train_last:.3f}
  （测试 {=boosting_test_last:.3f}）。Boosting 通过拟合前几轮的错误来降低偏差（bagging 则降低方差）。

选方法之前要看的信号是训练与测试的差距：在每个扫描的欠拟合端，训练和测试准确率都很接近，这时再加正则（治过拟合的方法）
只会更糟。若损失仍在下降，训练更久或换更好的优化器也有同样的作用。
""",
    },
    compute=compute,
)
