"""The first-order optimizers side by side: SGD, Momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam
and NAdam (``gradbook.optim``, each equal to its ``torch.optim`` twin) on an ill-conditioned quadratic
(axis-aligned and rotated), Rosenbrock's valley and a saddle; each of the notes' claims is decided by
the trajectories."""
from __future__ import annotations

import inspect

import numpy as np

from ... import optim
from ...autograd import Tensor
from ..entry import Entry
from ..result import Result

CONDITION = 50.0  # curvature ratio of the quadratic
COS45 = SIN45 = float(np.sqrt(0.5))


def quadratic(p):
    """½ (x² + κ y²): curvatures 1 and κ along the axes."""
    return 0.5 * (p[0] ** 2 + CONDITION * p[1] ** 2)


def rotated_quadratic(p):
    """The same bowl turned by 45°: the steep direction is (−1, 1)/√2, no longer an axis."""
    u = COS45 * p[0] + SIN45 * p[1]
    v = -SIN45 * p[0] + COS45 * p[1]
    return 0.5 * (u ** 2 + CONDITION * v ** 2)


def rosenbrock(p):
    """(1 − x)² + 100 (y − x²)²: a curved, narrow valley; minimum 0 at (1, 1)."""
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def saddle(p):
    """x² − y² + y⁴/4: a saddle at (0, 0), minima −1 at (0, ±√2)."""
    return p[0] ** 2 - p[1] ** 2 + p[1] ** 4 / 4


# name: (function, start, minimum value, steps (quick, full), target gap f − f*)
PROBLEMS = {
    "quadratic": (quadratic, (-4.0, 1.5), 0.0, (300, 300), 1e-6),
    "rotated": (rotated_quadratic, (-4.0, 1.5), 0.0, (300, 300), 1e-6),
    "rosenbrock": (rosenbrock, (-1.2, 1.0), 0.0, (1000, 3000), 1e-4),
    "saddle": (saddle, (1.0, 1e-6), -1.0, (300, 300), 1e-6),
}

METHODS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "Momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adadelta": lambda params, lr: optim.Adadelta(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
    "NAdam": lambda params, lr: optim.NAdam(params, lr=lr),
}
ADAM_LONG = 3000  # Adam's longer Rosenbrock run
ADAPTIVE = ("Adagrad", "RMSprop", "Adadelta", "Adam", "NAdam")

# each method's learning rate on each problem: the grid 1e-4, 3e-4, ..., 1, 3 searched beforehand
# (at the quick runs' lengths) for the fewest steps to the target (the lowest final f where no lr
# reaches it);
# every other setting is torch's default
LR = {
    "quadratic": {"SGD": 0.03, "Momentum": 3e-3, "Nesterov": 0.01, "Adagrad": 3.0, "RMSprop": 0.1,
                  "Adadelta": 3.0, "Adam": 0.3, "NAdam": 0.3},
    "rotated": {"SGD": 0.03, "Momentum": 3e-3, "Nesterov": 0.01, "Adagrad": 3.0, "RMSprop": 0.3,
                "Adadelta": 3.0, "Adam": 1.0, "NAdam": 1.0},
    "rosenbrock": {"SGD": 3e-3, "Momentum": 3e-3, "Nesterov": 1e-3, "Adagrad": 1.0, "RMSprop": 0.01,
                   "Adadelta": 0.3, "Adam": 0.3, "NAdam": 0.03},
    "saddle": {"SGD": 0.3, "Momentum": 0.3, "Nesterov": 0.3, "Adagrad": 1.0, "RMSprop": 0.03,
               "Adadelta": 3.0, "Adam": 1.0, "NAdam": 0.1},
}


def run(fun, start, make_optimizer, steps: int):
    """Minimise ``fun`` from ``start``: (points (steps + 1, 2), values (steps + 1,), optimizer)."""
    p = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = make_optimizer([p])
    points, values = [p.data.copy()], []
    for _ in range(steps):
        opt.zero_grad()
        loss = fun(p)
        values.append(float(loss.data))
        loss.backward()
        opt.step()
        points.append(p.data.copy())
    values.append(float(fun(Tensor(p.data)).data))
    return np.array(points), np.array(values), opt


def steps_to_target(values: np.ndarray, minimum: float, gap: float) -> int | None:
    """The first step k after which f − f* stays below ``gap`` to the end of the run (None: never)."""
    above = np.flatnonzero(~(values - minimum < gap))
    if len(above) == 0:
        return 0
    k = int(above[-1]) + 1
    return k if k < len(values) else None


def sign_changes(series: np.ndarray) -> int:
    s = np.sign(series[series != 0])
    return int(np.count_nonzero(s[1:] != s[:-1]))


def escape_step(points: np.ndarray, level: float = 0.5) -> int | None:
    """First step at which |y| exceeds ``level`` (the saddle left behind)."""
    out = np.flatnonzero(np.abs(points[:, 1]) > level)
    return int(out[0]) if len(out) else None


def _show(k):
    return "never" if k is None else k


def compute(quick: bool) -> Result:
    r = Result()
    runs, steps_to = {}, {}
    for problem, (fun, start, minimum, steps, gap) in PROBLEMS.items():
        n = steps[0] if quick else steps[1]
        for method, make in METHODS.items():
            lr = LR[problem][method]
            points, values, opt = run(fun, start, lambda ps: make(ps, lr), n)
            runs[problem, method] = points, values, opt
            k = steps_to[problem, method] = steps_to_target(values, minimum, gap)
            r.number(f"steps_{problem}_{method}", _show(k),
                     f"steps until f − f* < {gap:g} for good, {method} lr={lr:g} on {problem}")
            r.number(f"final_{problem}_{method}", float(values[-1] - minimum))
        r.number(f"n_{problem}", n)
    arrived = [m for m in METHODS if steps_to["rosenbrock", m] is not None]
    r.number("rosenbrock_arrived", ", ".join(f"{m} ({steps_to['rosenbrock', m]})" for m in arrived) or "none",
             "methods (steps) that reach the target on Rosenbrock")
    r.number("rosenbrock_missed", ", ".join(m for m in METHODS if m not in arrived) or "none")
    # constant-rate Adam on Rosenbrock, longer: it reaches the minimum, then leaves it again
    adam_lr = LR["rosenbrock"]["Adam"]
    _, adam_values, _ = run(rosenbrock, PROBLEMS["rosenbrock"][1], lambda ps: optim.Adam(ps, lr=adam_lr), ADAM_LONG)
    lowest = int(np.argmin(adam_values))
    r.number("adam_long_steps", ADAM_LONG)
    r.number("adam_long_best", float(adam_values[lowest]), f"lowest f along {ADAM_LONG} Adam steps on Rosenbrock")
    r.number("adam_long_best_step", lowest)
    r.number("adam_long_after", float(adam_values[lowest:].max()), "highest f after that lowest point")
    rows = [[method] + [f"{r.numbers[f'steps_{p}_{method}']} (lr {LR[p][method]:g})" for p in PROBLEMS]
            for method in METHODS]
    r.table("Steps until f − f* stays below the target (never: not within the run); each method at its own tuned lr",
            ["method"] + [f"{p} ({r.numbers['n_' + p]} steps)" for p in PROBLEMS], rows)
    r.condition(f"Quadratic ½(x² + {CONDITION:g} y²) from (−4, 1.5), the same turned by 45°, Rosenbrock from "
                "(−1.2, 1) and x² − y² + y⁴/4 from (1, 1e-6); float64; each method at the learning rate that did best "
                "on that problem in a grid 1e-4 … 3 (factors of about 3), every other setting torch's default "
                "(momentum 0.9 where used). Targets: f − f* below 1e-6 (1e-4 on Rosenbrock) to the end of the run.")

    # 1. Adam's epsilon: "ε = 10e-8"
    eps_notes = float("10e-8")
    eps_default = inspect.signature(optim.Adam).parameters["eps"].default
    r.number("eps_notes", eps_notes, 'float("10e-8")')
    r.number("eps_default", eps_default, "inspect.signature(optim.Adam).parameters['eps'].default")
    a = run(quadratic, PROBLEMS["quadratic"][1], lambda ps: optim.Adam(ps, lr=LR["quadratic"]["Adam"], eps=1e-8), 300)
    b = run(quadratic, PROBLEMS["quadratic"][1], lambda ps: optim.Adam(ps, lr=LR["quadratic"]["Adam"], eps=1e-7), 300)
    r.number("eps_path_difference", float(np.abs(a[0] - b[0]).max()),
             "largest |θ(ε=1e-8) − θ(ε=1e-7)| along 300 Adam steps on the quadratic")
    r.verdict("adam-eps", "confirmed" if eps_notes == eps_default else "corrected")

    # 2. Momentum accelerates SGD and damps oscillation
    (sgd_points, _, _), (mom_points, _, _) = runs["quadratic", "SGD"], runs["quadratic", "Momentum"]
    for name, pts in (("sgd", sgd_points), ("momentum", mom_points)):
        r.number(f"flips_y_{name}", sign_changes(pts[:, 1]), "sign changes of y (the steep axis) along the run")
        r.number(f"flips_x_{name}", sign_changes(pts[:, 0]), "sign changes of x (the flat axis) along the run")
    faster = all(_less(steps_to[p, "Momentum"], steps_to[p, "SGD"]) for p in ("quadratic", "rotated", "rosenbrock"))
    damps = r.numbers["flips_y_momentum"] < r.numbers["flips_y_sgd"]
    adds = r.numbers["flips_x_momentum"] > r.numbers["flips_x_sgd"]
    r.verdict("momentum", "confirmed" if faster and damps and not adds else "depends" if faster else "corrected")

    # 3. Nesterov "makes larger updates for rare parameters and smaller ones for frequent ones"
    g = np.array([1.0, 0.01])  # one coordinate with a large gradient, one with a small (rare) one
    ratios = {}
    for method, make in (("Nesterov", lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
                         ("Adagrad", lambda ps: optim.Adagrad(ps, lr=0.1))):
        p = Tensor(np.zeros(2), requires_grad=True)
        opt = make([p])
        for _ in range(3):
            p.grad = Tensor(g.copy())
            opt.step()
        ratios[method] = float((p.data[1] / g[1]) / (p.data[0] / g[0]))
        r.number(f"rare_vs_frequent_{method}", ratios[method],
                 f"(Δθ₂/g₂)/(Δθ₁/g₁) after 3 {method} steps with g = (1, 0.01)")
    r.verdict("nesterov-per-parameter",
              "corrected" if abs(ratios["Nesterov"] - 1) < 1e-12 and ratios["Adagrad"] > 10 else "confirmed")
    nesterov_wins = [_less(steps_to[p, "Nesterov"], steps_to[p, "Momentum"]) for p in PROBLEMS]
    r.number("nesterov_wins", int(sum(nesterov_wins)), "problems where Nesterov needs fewer steps than Momentum")
    r.verdict("nesterov-fewer-steps", "confirmed" if all(nesterov_wins) else "contested" if any(nesterov_wins)
              else "corrected")

    # 4. Adagrad's denominator keeps growing, its step size shrinks to nothing
    T = 1000
    p = Tensor(np.zeros(1), requires_grad=True)
    adagrad = optim.Adagrad([p], lr=1.0)
    for _ in range(T):
        p.grad = Tensor(np.ones(1))  # a constant gradient: the slope of a linear function
        adagrad.step()
    state = next(iter(adagrad.state.values()))
    r.number("adagrad_T", T)
    r.number("adagrad_rate_drop_constant", float(1.0 / np.sqrt(state["sum"][0])),
             f"Adagrad's rate lr/√Σg² after {T} equal gradients, over its value after one")
    _, _, adagrad = runs["rosenbrock", "Adagrad"]
    state = next(iter(adagrad.state.values()))
    first_grad = _gradient(rosenbrock, PROBLEMS["rosenbrock"][1])
    r.number("adagrad_rate_drop_rosenbrock", float(np.max(np.abs(first_grad) / np.sqrt(state["sum"]))),
             "largest (lr/√Σg²) at the end over its value after step 1, Adagrad on Rosenbrock")
    r.number("adagrad_first_grad", float(np.abs(first_grad).max()), "|∂f/∂x| at (−1.2, 1)")
    _, _, rms = runs["rosenbrock", "RMSprop"]
    rms_state = next(iter(rms.state.values()))
    # RMSprop's rate after step 1 is lr/(√(1 − α)|g₁|); at the end lr/√v
    rms_ratio = np.sqrt(0.01) * np.abs(first_grad) / np.sqrt(rms_state["square_avg"])
    r.number("rmsprop_rate_change", float(np.max(rms_ratio)),
             "the same ratio for RMSprop (its average forgets)")
    r.verdict("adagrad-shrinks", "confirmed" if abs(r.numbers["adagrad_rate_drop_constant"] * np.sqrt(T) - 1) < 1e-6
              and r.numbers["adagrad_rate_drop_rosenbrock"] < 1 and steps_to["rosenbrock", "Adagrad"] is None
              else "corrected")

    # 5. Adadelta "needs no learning rate"
    moved = {}
    for eps in (1e-6, 1e-4):
        points, _, _ = run(quadratic, PROBLEMS["quadratic"][1], lambda ps: optim.Adadelta(ps, lr=1.0, eps=eps), 100)
        moved[eps] = float(np.linalg.norm(points[-1] - points[0]))
        r.number(f"adadelta_moved_eps{int(-np.log10(eps))}", moved[eps],
                 f"|θ₁₀₀ − θ₀|, Adadelta lr=1, eps={eps:g}, quadratic")
    r.number("adadelta_eps_ratio", moved[1e-4] / moved[1e-6])
    reached = [steps_to[p, "Adadelta"] is not None for p in PROBLEMS]
    r.number("adadelta_reached", int(sum(reached)), "problems where Adadelta reaches the target even at lr 3")
    r.verdict("adadelta-no-lr", "corrected" if r.numbers["adadelta_eps_ratio"] > 3 else "confirmed")

    # 6. "Adam works better than the other adaptive methods"
    best = {}
    for p in PROBLEMS:
        reached = {m: steps_to[p, m] for m in ADAPTIVE if steps_to[p, m] is not None}
        best[p] = min(reached, key=reached.get) if reached else "none"
        r.number(f"best_adaptive_{p}", best[p], f"fewest steps among {', '.join(ADAPTIVE)} on {p}")
    adam_best = sum(best[p] == "Adam" for p in PROBLEMS)
    r.number("adam_best_count", adam_best)
    r.verdict("adam-best", "confirmed" if adam_best == len(PROBLEMS) else "contested" if adam_best else "corrected")

    # 7. Saddle: "the gradient is near zero in every direction; SGD easily gets stuck"
    sgd_lr = LR["saddle"]["SGD"]
    for tag, y0 in (("0", 0.0), ("1e-3", 1e-3), ("1e-6", 1e-6), ("1e-9", 1e-9)):
        points, values, _ = run(saddle, (1.0, y0), lambda ps: optim.SGD(ps, lr=sgd_lr), 300)
        key = tag.replace("-", "m")
        r.number(f"saddle_escape_sgd_{key}", escape_step(points),
                 f"first step with |y| > 0.5, SGD lr={sgd_lr}, y₀={tag}")
        r.number(f"saddle_final_sgd_{key}", float(values[-1]))
    for method in METHODS:
        r.number(f"saddle_escape_{method}", escape_step(runs["saddle", method][0]),
                 f"first step with |y| > 0.5 from (1, 1e-6), {method}")
    stuck_exactly = r.numbers["saddle_escape_sgd_0"] is None and abs(r.numbers["saddle_final_sgd_0"]) < 1e-12
    slower = [r.numbers[f"saddle_escape_sgd_{k}"] for k in ("1em3", "1em6", "1em9")]
    escapes = all(k is not None for k in slower) and slower[0] < slower[1] < slower[2]
    r.verdict("saddle", "depends" if stuck_exactly and escapes else "confirmed" if stuck_exactly else "corrected")
    r.table("Leaving the saddle of x² − y² + y⁴/4 from (1, y₀): first step with |y| > 0.5",
            ["run", "step"],
            [[f"SGD lr {sgd_lr}, y₀ = {t}", _show(r.numbers[f"saddle_escape_sgd_{k}"])]
             for t, k in (("0", "0"), ("1e-3", "1em3"), ("1e-6", "1em6"), ("1e-9", "1em9"))]
            + [[f"{m} (lr {LR['saddle'][m]:g}), y₀ = 1e-6", _show(r.numbers[f"saddle_escape_{m}"])] for m in METHODS])

    _figures(r, runs)
    return r


def _less(a, b) -> bool:
    """a < b for step counts where None means 'never'."""
    return a is not None and (b is None or a < b)


def _gradient(fun, point) -> np.ndarray:
    p = Tensor(np.array(point, dtype=np.float64), requires_grad=True)
    fun(p).backward()
    return p.grad.data.copy()


def _figures(r: Result, runs) -> None:
    import matplotlib.pyplot as plt

    colours = dict(zip(METHODS, plt.get_cmap("tab10").colors))
    views = {"quadratic": ((-4.5, 4.5), (-2, 2)), "rosenbrock": ((-1.6, 1.6), (-0.6, 1.8)),
             "saddle": ((-1.2, 1.2), (-2, 2))}
    fig, axs = plt.subplots(1, 3, figsize=(15, 4.4))
    for ax, (problem, (xlim, ylim)) in zip(axs, views.items()):
        fun = PROBLEMS[problem][0]
        xs, ys = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
        zs = fun(np.stack([xs, ys])) - PROBLEMS[problem][2]
        levels = np.geomspace(1e-2, zs.max(), 14) if problem != "saddle" else 14
        ax.contour(xs, ys, zs, levels=levels, colors="0.8", linewidths=0.7)
        for method in METHODS:
            points = runs[problem, method][0]
            ax.plot(points[:, 0], points[:, 1], "-", color=colours[method], lw=1.1, label=method)
        ax.plot(*PROBLEMS[problem][1], "ko", ms=4)
        ax.set(xlim=xlim, ylim=ylim, title=f"{problem} ({r.numbers['n_' + problem]} steps)")
    axs[0].legend(fontsize=7, loc="lower right", ncol=2)
    r.figure("optimizer_paths", fig, "Paths of the eight optimizers, each at its tuned learning rate: the "
                                     "quadratic ½(x² + 50y²), Rosenbrock's valley and the saddle x² − y² + y⁴/4.")

    fig, axs = plt.subplots(1, 3, figsize=(15, 3.6))
    for ax, problem in zip(axs, ("quadratic", "rotated", "rosenbrock")):
        for method in METHODS:
            gap = runs[problem, method][1] - PROBLEMS[problem][2]
            ax.semilogy(np.maximum(gap, 1e-16), color=colours[method], lw=1.1, label=method)
        ax.axhline(PROBLEMS[problem][4], color="k", ls=":", lw=0.8)
        ax.set(xlabel="step", ylabel="f − f*", title=problem)
    axs[0].legend(fontsize=7, ncol=2)
    r.figure("optimizer_losses", fig, "f − f* against steps; the dotted line is the target. The adaptive methods "
                                      "win on the axis-aligned quadratic and lose that edge when it is rotated.")


ENTRY = Entry(
    id="optimizers",
    section="G",
    title={"zh": "各优化器的原理与优缺点",
           "en": "Momentum, Nesterov, Adagrad, Adadelta, RMSprop, Adam, NAdam: how they work and when they help"},
    keywords=["optimizer", "优化器", "SGD", "momentum", "动量", "nesterov", "NAG", "adagrad", "adadelta", "rmsprop",
              "adam", "nadam", "epsilon", "自适应学习率", "adaptive learning rate", "saddle", "鞍点", "rosenbrock"],
    claims={
        "adam-eps": {
            "en": "The notes: \"suggested β1 = 0.9, β2 = 0.999, ε = 10e-8\".",
            "zh": "笔记：\"超参数设定值：建议 β1 = 0.9，β2 = 0.999，ε = 10e-8。\""},
        "momentum": {
            "en": "The notes: \"Momentum speeds SGD up and damps its oscillation\".",
            "zh": "笔记：\"Momentum 通过加入 γ*v_{t-1}，可以加速 SGD，并且抑制震荡。\""},
        "nesterov-per-parameter": {
            "en": "The notes on Nesterov (NAG): \"it makes larger updates for rare parameters and smaller ones for "
                  "frequent ones, so it does well on sparse data\".",
            "zh": "笔记（Nesterov/NAG 一节）：\"这个算法就可以对低频的参数做较大的更新，对高频的做较小的更新，也因此，对于稀疏的数据它的表现很好。\""},
        "nesterov-fewer-steps": {
            "en": "The notes: \"Nesterov learns in advance that the gradient is about to turn, slows down, and saves "
                  "useless iterations\" (fewer steps than plain momentum).",
            "zh": "笔记：\"Nesterov 的好处就是，当梯度方向快要改变的时候，它提前获得了该信息，从而减弱了这个过程，再次减少了无用的迭代。\""},
        "adagrad-shrinks": {
            "en": "The notes: \"Adagrad's denominator keeps accumulating, so the learning rate shrinks and finally "
                  "becomes very small\".",
            "zh": "笔记：\"（Adagrad）它的缺点是分母会不断积累，这样学习率就会收缩并最终会变得非常小。\""},
        "adadelta-no-lr": {
            "en": "The notes: \"with RMS[Δθ] in place of η, Adadelta does not even need a learning rate\".",
            "zh": "笔记：\"（Adadelta）将学习率 η 换成了 RMS[Δθ]，这样的话，我们甚至都不需要提前设定学习率了。\""},
        "adam-best": {
            "en": "The notes: \"in practice Adam works better than the other adaptive methods\".",
            "zh": "笔记：\"实践表明，Adam 比其他适应性学习方法效果要好。\""},
        "saddle": {
            "en": "The notes: \"around a saddle the gradient is close to 0 in every dimension, so SGD easily gets "
                  "stuck there (full-batch GD stops moving)\".",
            "zh": "笔记：\"鞍点周围的 error 是一样的，所有维度的梯度都接近于 0，SGD 很容易被困在这里……如果是训练集全集带入即 BGD，则优化会停止不动。\""},
    },
    answer={
        "en": r"""
All eight update rules step against the gradient $g_t$; they differ in what they remember.
**SGD**: $\theta \leftarrow \theta - \eta g$. **Momentum** keeps a velocity $b \leftarrow \mu b + g$ and steps by
$\eta b$ (torch's form; $\mu = 0.9$). **Nesterov** steps by $\eta(g + \mu b)$: the gradient "one step ahead".
**Adagrad** divides by the root of the *sum* of all past squared gradients, $\eta\, g/(\sqrt{\sum g^2} + \epsilon)$,
per coordinate. **RMSprop** uses an exponential *average* $v \leftarrow \alpha v + (1-\alpha) g^2$ instead, so old
gradients are forgotten. **Adadelta** also scales the step by the RMS of past *updates*. **Adam** combines a
momentum average $m$ with RMSprop's $v$, both bias-corrected:
$\theta \leftarrow \theta - \eta\, \hat m/(\sqrt{\hat v} + \epsilon)$. **NAdam** is Adam with a Nesterov-style look-ahead.

Live runs (float64, each method at its own best learning rate from a grid) on four 2-D problems; the table
gives the steps until $f - f^*$ stays below the target. On the axis-aligned quadratic $\frac{1}{2}(x^2 + 50y^2)$
SGD needs {=steps_quadratic_SGD} steps, Momentum {=steps_quadratic_Momentum}, Adagrad {=steps_quadratic_Adagrad}:
per-coordinate scaling undoes an ill-conditioning that lies along the axes. Turn the same bowl by 45° and that
advantage is gone (Adagrad {=steps_rotated_Adagrad}, RMSprop {=steps_rotated_RMSprop}, Adam
{=steps_rotated_Adam}; Momentum {=steps_rotated_Momentum}). In Rosenbrock's curved valley, within
{=n_rosenbrock} steps, {=rosenbrock_arrived} reach the target for good; {=rosenbrock_missed} do not. The
adaptive steps $\eta\, \hat m/\sqrt{\hat v}$ do not shrink with the gradient, so at a constant rate they may
leave a minimum they had reached: run for {=adam_long_steps} steps, Adam gets to $f$ = {=adam_long_best:.1e} at
step {=adam_long_best_step} and is then thrown out again, up to $f$ = {=adam_long_after:.2g}, once $\hat v$ has decayed.

The notes' claims, checked:

- **Adam's ε.** "10e-8" is $10 \times 10^{-8}$ = {=eps_notes:g}, ten times the value of the Adam paper, of
  torch and of `gradbook.optim.Adam` ({=eps_default:g}). It was meant as $10^{-8}$. (Here it hardly matters:
  the two values move Adam's path by at most {=eps_path_difference:.1e}; ε matters when gradients are tiny.)
- **Momentum** does speed SGD up (fewer steps on the quadratics and Rosenbrock) and damps the zig-zag across the
  steep direction: in {=n_quadratic} steps $y$ changes sign {=flips_y_momentum} times against
  {=flips_y_sgd} for SGD. But it oscillates where SGD did not: $x$ changes sign {=flips_x_momentum} time(s)
  (SGD: {=flips_x_sgd}). A heavy ball swings.
- **Nesterov per parameter** — a copy slip: that sentence belongs to Adagrad. Nesterov uses one learning rate
  for every coordinate; after three steps with $g = (1, 0.01)$ the ratio of the rare coordinate's step size to
  the frequent one's is {=rare_vs_frequent_Nesterov:.6f} for Nesterov and {=rare_vs_frequent_Adagrad:.0f} for Adagrad.
- **Nesterov fewer steps than Momentum** held on {=nesterov_wins} of 4 problems: it helps when the look-ahead
  damps an overshoot, and not always.
- **Adagrad's shrinking step** is real and cannot be undone: the sum only grows. Under a constant gradient
  the rate falls as $1/\sqrt{t}$ ({=adagrad_rate_drop_constant:.4f} of its first value after {=adagrad_T} steps). On
  Rosenbrock the first gradients ($|g| \approx$ {=adagrad_first_grad:.0f}) already fix a small rate, which ends at
  {=adagrad_rate_drop_rosenbrock:.2f} of its value after step 1, so when the valley's gradients become small the
  steps are tiny and Adagrad does not reach the target; RMSprop's rate, which forgets, ends
  {=rmsprop_rate_change:.3g} times its start.
- **Adadelta without a learning rate** — the rate has moved into ε: the first steps are about
  $\sqrt{\epsilon/(1-\rho)}$ long, so raising ε from 1e-6 to 1e-4 moves it {=adadelta_eps_ratio:.1f} times as far in
  100 steps; torch keeps an `lr` multiplier, and even at lr 3 Adadelta reached the target on {=adadelta_reached}
  of 4 problems.
- **"Adam is best"** was the fastest adaptive method on {=adam_best_count} of 4 problems (best: quadratic
  {=best_adaptive_quadratic}, rotated {=best_adaptive_rotated}, Rosenbrock {=best_adaptive_rosenbrock}, saddle
  {=best_adaptive_saddle}). It is a robust default, not a winner everywhere.
- **Saddle.** Started exactly on the saddle's stable line ($y_0 = 0$), gradient descent converges to the saddle
  and stays (final $f$ = {=saddle_final_sgd_0:.1e}). Any perturbation grows by $(1 + 2\eta)$ per step, so
  SGD leaves after {=saddle_escape_sgd_1em3}, {=saddle_escape_sgd_1em6} and {=saddle_escape_sgd_1em9} steps for
  $y_0$ = 1e-3, 1e-6, 1e-9: slowed (linearly in $\log 1/y_0$), not trapped. Methods that normalise the gradient
  leave faster: RMSprop in {=saddle_escape_RMSprop}, Adagrad in {=saddle_escape_Adagrad} steps. In real training
  the noise of mini-batches provides the perturbation.
""",
        "zh": r"""
八种更新规则都沿梯度 $g_t$ 的反方向走，区别在于记住了什么。**SGD**：$\theta \leftarrow \theta - \eta g$。
**Momentum** 维护速度 $b \leftarrow \mu b + g$，每步走 $\eta b$（torch 的写法，$\mu = 0.9$）。**Nesterov** 每步走
$\eta(g + \mu b)$，相当于用"往前看一步"的梯度。**Adagrad** 按坐标除以历史梯度平方*之和*的平方根：
$\eta\, g/(\sqrt{\sum g^2} + \epsilon)$。**RMSprop** 改用指数*平均* $v \leftarrow \alpha v + (1-\alpha) g^2$，旧梯度会被遗忘。
**Adadelta** 还用过去*更新量*的 RMS 来缩放步长。**Adam** 把动量平均 $m$ 和 RMSprop 的 $v$ 结合起来并做偏差校正：
$\theta \leftarrow \theta - \eta\, \hat m/(\sqrt{\hat v} + \epsilon)$。**NAdam** 是带 Nesterov 式前瞻的 Adam。

实测（float64，每个方法在网格中取各自最好的学习率），四个二维问题，表中是 $f - f^*$ 稳定低于目标所需的步数。
在坐标轴对齐的二次函数 $\frac{1}{2}(x^2 + 50y^2)$ 上，SGD 需要 {=steps_quadratic_SGD} 步，Momentum {=steps_quadratic_Momentum} 步，
Adagrad {=steps_quadratic_Adagrad} 步：按坐标缩放恰好抵消了沿坐标轴的病态。把同一个碗旋转 45°，这个优势就没了
（Adagrad {=steps_rotated_Adagrad}，RMSprop {=steps_rotated_RMSprop}，Adam {=steps_rotated_Adam}；Momentum {=steps_rotated_Momentum}）。
在 Rosenbrock 的弯曲山谷里，{=n_rosenbrock} 步内稳定达到目标的有 {=rosenbrock_arrived}；{=rosenbrock_missed} 没有做到。自适应方法的步长 $\eta\, \hat m/\sqrt{\hat v}$ 不随梯度变小，所以学习率恒定时，已经到达的极小点也可能再离开：
让 Adam 跑 {=adam_long_steps} 步，它在第 {=adam_long_best_step} 步到达 $f$ = {=adam_long_best:.1e}，等 $\hat v$ 衰减后又被甩了出去，$f$ 回升到
{=adam_long_after:.2g}。

逐条检验笔记的说法：

- **Adam 的 ε。** "10e-8" 是 $10 \times 10^{-8}$ = {=eps_notes:g}，是 Adam 论文、torch 和 `gradbook.optim.Adam` 所用值
  （{=eps_default:g}）的十倍，本意应是 $10^{-8}$。（在这里影响很小：两种取值让 Adam 的轨迹最多相差 {=eps_path_difference:.1e}；
  梯度非常小时 ε 才重要。）
- **Momentum** 确实加速了 SGD（两个二次函数和 Rosenbrock 上步数都更少），也抑制了陡峭方向上的来回振荡：{=n_quadratic} 步里 $y$
  变号 {=flips_y_momentum} 次，SGD 为 {=flips_y_sgd} 次。但它在 SGD 不振荡的方向上振荡了：$x$ 变号 {=flips_x_momentum} 次
  （SGD：{=flips_x_sgd} 次）。重球会来回摆。
- **Nesterov 按参数调整**——这是抄错了位置，这句话说的是 Adagrad。Nesterov 对所有坐标用同一个学习率；用 $g = (1, 0.01)$
  走三步后，稀有坐标与常见坐标的步长比，Nesterov 为 {=rare_vs_frequent_Nesterov:.6f}，Adagrad 为 {=rare_vs_frequent_Adagrad:.0f}。
- **Nesterov 比 Momentum 步数少**在 4 个问题中的 {=nesterov_wins} 个上成立：前瞻能抑制冲过头时有用，但并非总是如此。
- **Adagrad 学习率收缩**属实，而且无法回升：累加和只增不减。梯度恒定时学习率按 $1/\sqrt{t}$ 下降（{=adagrad_T} 步后只剩
  最初的 {=adagrad_rate_drop_constant:.4f}）。在 Rosenbrock 上，最初的梯度（$|g| \approx$ {=adagrad_first_grad:.0f}）就已经把学习率压得很小，
  最后是第一步之后的 {=adagrad_rate_drop_rosenbrock:.2f}；等到山谷里梯度变小，步长就微乎其微，Adagrad 达不到目标。
  会遗忘的 RMSprop 的学习率最后是开始时的 {=rmsprop_rate_change:.3g} 倍。
- **Adadelta 不需要学习率**——学习率其实藏进了 ε：最初几步的步长约为 $\sqrt{\epsilon/(1-\rho)}$，ε 从 1e-6 调到 1e-4，
  100 步走过的距离变为 {=adadelta_eps_ratio:.1f} 倍；torch 仍保留了 `lr` 乘子，即使 lr 取 3，Adadelta 也只在 4 个问题中的
  {=adadelta_reached} 个上达到目标。
- **"Adam 最好"**：在 4 个问题中，它只在 {=adam_best_count} 个上是最快的自适应方法（最快的分别是：二次函数 {=best_adaptive_quadratic}，
  旋转后 {=best_adaptive_rotated}，Rosenbrock {=best_adaptive_rosenbrock}，鞍点 {=best_adaptive_saddle}）。它是稳健的默认选择，但不是处处最优。
- **鞍点。** 恰好从鞍点的稳定方向上出发（$y_0 = 0$）时，梯度下降收敛到鞍点并停在那里（最终 $f$ = {=saddle_final_sgd_0:.1e}）。
  任何扰动每步放大 $(1 + 2\eta)$ 倍，所以 $y_0$ 为 1e-3、1e-6、1e-9 时，SGD 分别在第 {=saddle_escape_sgd_1em3}、{=saddle_escape_sgd_1em6}、
  {=saddle_escape_sgd_1em9} 步离开：被拖慢了（与 $\log 1/y_0$ 成正比），而不是被困住。对梯度做归一化的方法离开得更快：RMSprop
  {=saddle_escape_RMSprop} 步，Adagrad {=saddle_escape_Adagrad} 步。实际训练中，mini-batch 的噪声就提供了这种扰动。
""",
    },
    compute=compute,
)
