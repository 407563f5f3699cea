"""An algorithm's model, evaluation and optimisation, named in code for logistic regression."""
from __future__ import annotations

import time

import numpy as np

from ... import backend
from ...classic import LogisticRegression
from ...metrics import log_loss
from ..entry import Entry
from ..result import Result

C = 1.0
TRUE_W = np.array([2.0, -1.0, 0.0, 0.0, 1.0, 0.0])


def data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, TRUE_W.size))
    X[:, 1] += 0.8 * X[:, 0]  # correlated features: an ill-conditioned problem for first-order methods
    p = 1 / (1 + np.exp(-(X @ TRUE_W + 0.5)))
    return X, (rng.random(n) < p).astype(int)


def objective(model, X, y) -> float:
    """The evaluation being optimised: mean log-loss + ‖w‖² / (2Cn) (intercept not penalised)."""
    return log_loss(y, model.predict_proba(X)) + float(model.coef_[0] @ model.coef_[0]) / (2 * C * len(y))


def compute(quick: bool) -> Result:
    r = Result()
    n = 500 if quick else 5000
    X, y = data(n)
    r.number("n_samples", n)
    r.number("C", C)
    fits, rows = {}, []
    for solver, max_iter in (("gd", 20_000), ("newton", 100), ("lbfgs", 500)):
        start = time.perf_counter()
        model = LogisticRegression(C=C, solver=solver, tol=1e-8, max_iter=max_iter).fit(X, y)
        seconds = time.perf_counter() - start
        fits[solver] = model
        r.number(f"iters_{solver}", int(model.n_iter_[0]), f"LogisticRegression(solver={solver!r}).fit(X, y).n_iter_")
        r.number(f"objective_{solver}", objective(model, X, y), "log_loss(y, p) + ||w||^2 / (2Cn)")
        r.number(f"seconds_{solver}", seconds)
        rows.append([solver, r.numbers[f"iters_{solver}"], r.numbers[f"objective_{solver}"], seconds])
    r.table("Three optimisers, one model, one evaluation", ["solver", "iterations", "objective", "seconds"], rows)
    ref = fits["newton"]
    r.number("solver_coef_max_diff", float(max(np.abs(f.coef_ - ref.coef_).max() for f in fits.values())),
             "max |coef_ difference| between the three solvers")

    # the model, by hand: p = σ(w·x + b)
    p = 1 / (1 + np.exp(-(X @ ref.coef_[0] + ref.intercept_[0])))
    r.number("model_proba_max_diff", float(np.abs(p - ref.predict_proba(X)[:, 1]).max()),
             "max |σ(Xw + b) − predict_proba(X)[:, 1]|")
    # optimality: the gradient of the evaluation vanishes at the solution
    grad_w = X.T @ (p - y) / n + ref.coef_[0] / (C * n)
    r.number("gradient_norm", float(np.sqrt(grad_w @ grad_w + ((p - y).mean()) ** 2)), "‖∇J‖ at the Newton solution")

    # change the evaluation (L1 instead of L2): a different answer, whatever the optimiser
    l1 = LogisticRegression(penalty="l1", C=0.05, solver="gd", tol=1e-8, max_iter=20_000).fit(X, y)
    r.number("l1_zeros", int((l1.coef_[0] == 0).sum()), "(LogisticRegression(penalty='l1', C=0.05).coef_ == 0).sum()")
    r.number("l2_zeros", int((ref.coef_[0] == 0).sum()))
    r.number("l1_vs_l2_coef_max_diff", float(np.abs(l1.coef_ - ref.coef_).max()))

    r.check("optimisers-agree", r.numbers["solver_coef_max_diff"] < 1e-4)
    r.check("newton-fewer-iterations", r.numbers["iters_newton"] < r.numbers["iters_lbfgs"] < r.numbers["iters_gd"])
    r.check("evaluation-defines-answer", r.numbers["l1_zeros"] > 0 and r.numbers["l1_vs_l2_coef_max_diff"]
            > 100 * r.numbers["solver_coef_max_diff"])
    r.condition("Newton needs fewer iterations, but each solves a d×d system with the Hessian: with many features "
                "L-BFGS or stochastic gradients win on time.")
    return r


ENTRY = Entry(
    id="lr-model-eval-opt",
    section="I",
    title={"zh": "以 LR 为例：模型、评价、优化分别是什么", "en": "An algorithm's model, evaluation and optimisation (LR)"},
    keywords=["logistic regression", "逻辑回归", "LR", "model", "evaluation", "optimization", "模型", "评价", "优化",
              "newton", "牛顿法", "gradient descent", "梯度下降", "lbfgs", "cross entropy", "交叉熵"],
    claims={
        "optimisers-agree": {
            "en": "The optimiser is interchangeable: gradient descent, Newton and L-BFGS reach the same model.",
            "zh": "优化方法可以互换：梯度下降、牛顿法和 L-BFGS 得到同一个模型。"},
        "newton-fewer-iterations": {"en": "Newton's method converges in far fewer iterations than gradient descent.",
                                    "zh": "牛顿法收敛所需的迭代次数远少于梯度下降。"},
        "evaluation-defines-answer": {
            "en": "The evaluation (loss + penalty) defines the answer: changing it (L1 for L2) changes the model.",
            "zh": "评价函数（损失 + 正则）决定答案：改变它（L2 换成 L1）会改变模型。"},
    },
    answer={
        "en": r"""
Any learning algorithm is three choices, and logistic regression shows them cleanly.

**Model** — the family of functions: $p(y=1|x) = \sigma(w^\top x + b)$, a linear score squashed by
the sigmoid (a Bernoulli GLM with the logit link). In gradbook this is `predict_proba`; written out
by hand it agrees to {=model_proba_max_diff:.1e}.

**Evaluation** — the criterion that says which member of the family is best: the negative
log-likelihood (cross-entropy) plus a penalty,
$$J(w, b) = -\frac{1}{n}\sum_i \left[y_i \log p_i + (1-y_i)\log(1-p_i)\right] + \frac{\|w\|^2}{2Cn}.$$
At the solution its gradient $\frac{1}{n}X^\top(p - y) + \frac{w}{Cn}$ has norm
{=gradient_norm:.1e}. Accuracy, AUC or F1 judge the result afterwards; $J$ is what training optimises.

**Optimisation** — how to find the minimiser. $J$ is convex, so every method that converges lands on
the same point: gradient descent took {=iters_gd} iterations, L-BFGS {=iters_lbfgs}, Newton
{=iters_newton} (objective {=objective_newton:.6f}; the solvers' coefficients differ by at most
{=solver_coef_max_diff:.1e}). Newton uses the Hessian $\frac{1}{n}X^\top \mathrm{diag}(p(1-p))X$
and converges quadratically, at the price of a $d \times d$ solve per step.

The split matters because each part answers a different question. Changing the optimiser changes
cost, not the answer; changing the evaluation changes the answer: with an L1 penalty the same
model family gives {=l1_zeros} exact zeros (L2: {=l2_zeros}), coefficients moving by up to
{=l1_vs_l2_coef_max_diff:.3f}.
""",
        "zh": r"""
任何学习算法都由三个选择组成，逻辑回归把它们展示得很清楚。

**模型**——函数族：$p(y=1|x) = \sigma(w^\top x + b)$，线性得分经过 sigmoid 压缩（以 logit 为连接函数的伯努利 GLM）。
在 gradbook 中就是 `predict_proba`；手工写出的公式与之相差 {=model_proba_max_diff:.1e}。

**评价**——判定函数族中哪个成员最好的准则：负对数似然（交叉熵）加正则项，
$$J(w, b) = -\frac{1}{n}\sum_i \left[y_i \log p_i + (1-y_i)\log(1-p_i)\right] + \frac{\|w\|^2}{2Cn}.$$
在解处其梯度 $\frac{1}{n}X^\top(p - y) + \frac{w}{Cn}$ 的范数为 {=gradient_norm:.1e}。准确率、AUC、F1 是训练之后的评判；
训练真正优化的是 $J$。

**优化**——如何找到最小值点。$J$ 是凸的，所以任何收敛的方法都落在同一点：梯度下降用了 {=iters_gd} 次迭代，L-BFGS
{=iters_lbfgs} 次，牛顿法 {=iters_newton} 次（目标值 {=objective_newton:.6f}；各求解器系数最大相差 {=solver_coef_max_diff:.1e}）。
牛顿法利用 Hessian $\frac{1}{n}X^\top \mathrm{diag}(p(1-p))X$，二次收敛，代价是每步求解一个 $d \times d$ 线性方程组。

区分这三者的意义在于它们回答不同的问题。换优化器只改变代价，不改变答案；换评价函数则改变答案：同样的模型族改用 L1 正则，
得到 {=l1_zeros} 个精确的 0（L2 为 {=l2_zeros} 个），系数最多变化 {=l1_vs_l2_coef_max_diff:.3f}。
""",
    },
    compute=compute,
)
