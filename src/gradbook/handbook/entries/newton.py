"""Gradient descent against Newton's method (and BFGS, L-BFGS, CG, Newton-CG) with
``gradbook.optimize.minimize``: iterations and time on Rosenbrock, an ill-conditioned quadratic and
logistic regression on real data; Newton's quadratic convergence read off the error sequence; Newton
at a saddle, pure and modified; and the notes' claims about both methods."""
from __future__ import annotations

import time

import numpy as np

from ... import optim
from ...autograd import Tensor
from ...optimize import minimize
from ...optimize import problems as P
from ...optimize.newton import modified_cholesky
from ...optimize.objective import Objective
from ..entry import Entry
from ..result import Result

METHODS = ("gd", "newton", "newton-cg", "bfgs", "l-bfgs", "cg")
TOL = 1e-8
LOGISTIC_L2 = 1e-3
FIXED_STEPS = 1500  # steepest descent with a fixed step on ½(x² + 50y²)


def _derivatives(problem, method: str) -> dict:
    """The array form's derivatives each method takes (the Newton methods also the Hessian)."""
    if method == "newton":
        return dict(jac=problem.jac, hess=problem.hess)
    if method == "newton-cg":
        return dict(jac=problem.jac, hessp=problem.hessp)
    return dict(jac=problem.jac)


def solve(problem, method: str, tol: float = TOL, **options):
    """(result, iterates x₀, x₁, ..., seconds) of ``minimize`` on the array form of ``problem``."""
    path = [problem.x0.copy()]
    start = time.perf_counter()
    result = minimize(problem.fun, problem.x0, method=method, tol=tol, options=options or None,
                      callback=lambda xk: path.append(np.array(xk, copy=True)), **_derivatives(problem, method))
    return result, np.array(path), time.perf_counter() - start


def _best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _newton_direction(problem, n: int, x: np.ndarray) -> np.ndarray:
    """What one Newton iteration computes: ∇f and H by autograd, then the modified-Cholesky solve."""
    objective = Objective(problem.tensor_fun, n, (), None, None, None, "cost", second_order=True)
    _, g = objective.value_and_grad(x)
    factor, _ = modified_cholesky(objective.hessian(x))
    return -np.linalg.solve(factor @ factor.T, g)


def problem_set() -> dict:
    """The four problems and their minimisers (logistic regression's from Newton run to 1e-12)."""
    table = {"rosenbrock-2": P.rosenbrock(2), "rosenbrock-20": P.rosenbrock(20),
             "quadratic-1e4": P.quadratic(20, 1e4), "logistic": P.logistic_regression(LOGISTIC_L2)}
    for name in ("rosenbrock-2", "rosenbrock-20"):
        table[name].minimiser = np.ones(table[name].x0.size)
    table["logistic"].minimiser = solve(table["logistic"], "newton", tol=1e-12)[0].x
    return table


def compute(quick: bool) -> Result:
    r = Result()
    r.number("TOL_text", f"{TOL:g}")
    problems = problem_set()
    results, paths = {}, {}
    rows = []
    for name, problem in problems.items():
        for method in METHODS:
            res, path, seconds = solve(problem, method)
            results[name, method], paths[name, method] = res, path
            key = f"{name.replace('-', '_')}_{method.replace('-', '_')}"
            r.number(f"nit_{key}", int(res.nit), f"minimize(..., method={method!r}, tol={TOL:g}).nit on {name}")
            r.number(f"error_{key}", float(np.max(np.abs(res.x - problem.minimiser))), "|x − x*|∞")
            r.number(f"success_{key}", bool(res.success))
            rows.append([name, method, res.nit, res.nfev, res.njev, res.get("nhev", "—"),
                         "yes" if res.success else "no", f"{r.numbers['error_' + key]:.1e}", f"{seconds * 1e3:.1f}"])
    r.table(f"minimize(method=..., tol={TOL:g}) from the usual starts (array forms, derivatives written out)",
            ["problem", "method", "iterations", "f evals", "∇f evals", "Hessians", "converged", "|x − x*|∞", "ms"],
            rows)
    r.condition(f"Gradient tolerance {TOL:g} (∞-norm), iteration limit 200·n; Rosenbrock from (−1.2, 1) and from 0 in "
                "20-d; a 20-d quadratic with eigenvalues 1 … 1e4; logistic regression with ½·1e-3‖w‖² on "
                "scikit-learn's breast-cancer data (569 × 30, standardised). Times vary by machine.")

    # the error sequence of Rosenbrock 2-d: Newton quadratic, BFGS superlinear, GD linear
    star = problems["rosenbrock-2"].minimiser
    errors = {m: np.linalg.norm(paths["rosenbrock-2", m] - star, axis=1) for m in METHODS}
    e = errors["newton"]
    tail = [k for k in range(len(e) - 1) if e[k] < 1e-2 and e[k + 1] > 1e-13]
    quad_ratios = [float(e[k + 1] / e[k] ** 2) for k in tail]
    r.number("newton_tail_errors", ", ".join(f"{e[k]:.1e}" for k in tail + [tail[-1] + 1]),
             "‖x_k − x*‖ over Newton's last iterations on Rosenbrock")
    r.number("newton_quadratic_ratio_max", max(quad_ratios), "max e_{k+1}/e_k² over those iterations")
    orders = [float(np.log(e[k + 1] / e[k]) / np.log(e[k] / e[k - 1])) for k in tail[1:]]
    r.number("newton_orders", ", ".join(f"{q:.2f}" for q in orders),
             "order estimates log(e_{k+1}/e_k) / log(e_k/e_{k−1}) (2 for quadratic convergence)")
    r.number("newton_order_min", min(orders))
    r.number("newton_linear_ratio_last", float(e[tail[-1] + 1] / e[tail[-1]]), "e_{k+1}/e_k at the last of them")
    b = errors["bfgs"]
    b_tail = [k for k in range(len(b) - 1) if 1e-13 < b[k + 1] and b[k] < 1e-2]
    r.number("bfgs_linear_ratio_last", float(b[b_tail[-1] + 1] / b[b_tail[-1]]), "e_{k+1}/e_k, BFGS's last iterations")
    g = errors["gd"]
    r.number("gd_linear_ratio_last", float(g[-1] / g[-2]), "e_{k+1}/e_k, steepest descent's last iteration")
    r.table("Newton's error on Rosenbrock near the end: the exponent doubles each step",
            ["k", "e_k", "e_{k+1}", "e_{k+1}/e_k", "e_{k+1}/e_k²"],
            [[k, f"{e[k]:.2e}", f"{e[k + 1]:.2e}", f"{e[k + 1] / e[k]:.2e}", f"{e[k + 1] / e[k] ** 2:.3f}"]
             for k in tail])
    fewest = all(results[name, "newton"].nit == min(results[name, m].nit for m in METHODS) for name in problems)
    r.number("newton_fewest_everywhere", fewest)
    r.check("fast", min(orders) > 1.5 and r.numbers["newton_linear_ratio_last"] < 1e-3 and fewest)

    # the inverse Hessian along Newton's path: does it keep shrinking?
    for name in ("rosenbrock-2", "logistic"):
        problem = problems[name]
        inverse_norms = [1.0 / np.linalg.eigvalsh(problem.hess(x))[0] for x in paths[name, "newton"]]
        tag = name.replace("-", "_")
        r.number(f"hinv_first_{tag}", float(inverse_norms[0]), f"‖H⁻¹‖₂ = 1/λ_min(H) at x₀, {name}")
        r.number(f"hinv_last_{tag}", float(inverse_norms[-1]), f"‖H⁻¹‖₂ at Newton's last iterate, {name}")
        r.number(f"hinv_monotone_{tag}", bool(np.all(np.diff(inverse_norms) <= 0)), "‖H⁻¹‖ never grew along the path")
        steps = np.linalg.norm(np.diff(paths[name, "newton"], axis=0), axis=1)
        r.number(f"newton_last_step_{tag}", float(steps[-1]), "‖x_{k+1} − x_k‖ at the last Newton iteration")
    r.number("hinv_cap_logistic", 1.0 / LOGISTIC_L2, "1/λ: the L2 term keeps every eigenvalue of H above λ")
    shrinks = r.numbers["hinv_monotone_rosenbrock_2"] and r.numbers["hinv_monotone_logistic"]
    r.verdict("hessian-inverse-shrinks", "confirmed" if shrinks else "corrected")

    # the cost of an iteration: Newton forms H (n Hessian-vector products by autograd) and factors it;
    # L-BFGS needs one gradient. Timed at the same point, best of several repeats (robust to a busy machine)
    sizes = (10, 30) if quick else (10, 30, 100)
    rows = []
    for n in sizes:
        problem = P.rosenbrock(n)
        x = problem.x0 + 0.1
        gradient_s = _best_time(lambda: Objective(problem.tensor_fun, n, (), None, None, None, "cost")
                                .value_and_grad(x), repeats=20)
        newton_s = _best_time(lambda: _newton_direction(problem, n, x), repeats=5)
        r.number(f"cost_ratio_{n}", newton_s / gradient_s, "time of a Newton direction (∇f, H by autograd, Cholesky) "
                                                            "/ time of one gradient, best of repeats")
        newton = minimize(problem.fun, problem.x0, method="newton", jac=problem.jac, hess=problem.hess, tol=TOL)
        lbfgs = minimize(problem.fun, problem.x0, method="l-bfgs", jac=problem.jac, tol=TOL)
        r.number(f"cost_nit_{n}_newton", int(newton.nit), f"Rosenbrock {n}-d")
        r.number(f"cost_njev_{n}_l_bfgs", int(lbfgs.njev), f"Rosenbrock {n}-d, gradients L-BFGS evaluated")
        r.number(f"cost_units_{n}_newton", newton.nit * r.numbers[f"cost_ratio_{n}"],
                 "Newton's iterations × (cost of an iteration in gradients)")
        rows.append([n, newton.nit, f"{r.numbers[f'cost_ratio_{n}']:.1f}", f"{r.numbers[f'cost_units_{n}_newton']:.0f}",
                     lbfgs.nit, lbfgs.njev])
    ratios = [r.numbers[f"cost_ratio_{n}"] for n in sizes]
    r.table("The price of an iteration (Rosenbrock as a function of gradbook Tensors: gradients by autograd, "
            "Newton's Hessian from n Hessian-vector products)",
            ["n", "Newton iterations", "one Newton iteration, in gradients", "Newton, total in gradients",
             "L-BFGS iterations", "L-BFGS gradients"], rows)
    r.check("expensive", ratios[0] > 1 and all(b > a for a, b in zip(ratios, ratios[1:])))

    # Newton where H is indefinite: the pure step can point uphill; H + τI repairs it
    saddle = P.saddle()
    point = np.array([1e-3, 0.3])
    grad, hess = saddle.jac(point), saddle.hess(point)
    pure = -np.linalg.solve(hess, grad)
    factor, tau = modified_cholesky(hess)
    modified = -np.linalg.solve(factor @ factor.T, grad)
    r.number("indefinite_eigs", ", ".join(f"{v:.2f}" for v in np.linalg.eigvalsh(hess)),
             "eigenvalues of H at (0.001, 0.3)")
    r.number("pure_slope", float(grad @ pure), "∇fᵀp for the pure Newton step p = −H⁻¹∇f")
    r.number("pure_f_change", saddle.fun(point + pure) - saddle.fun(point), "f(x + p) − f(x), pure Newton step")
    r.number("modified_tau", tau, "shift τ of H + τI (modified Cholesky)")
    r.number("modified_slope", float(grad @ modified), "∇fᵀp for p = −(H + τI)⁻¹∇f")
    r.verdict("positive-definite-only", "depends" if r.numbers["pure_slope"] > 0 > r.numbers["modified_slope"]
              else "confirmed" if r.numbers["pure_slope"] > 0 else "corrected")

    # near the saddle x² − y² + y⁴/4 from (0.3, 1e-3): pure Newton, modified Newton, GD, BFGS; GD from y = 0
    runs = {"pure Newton": ("newton", dict(hessian_modification="none"), saddle.x0),
            "modified Newton": ("newton", {}, saddle.x0),
            "gradient descent": ("gd", {}, saddle.x0),
            "BFGS": ("bfgs", {}, saddle.x0),
            "gradient descent, y₀ = 0": ("gd", {}, np.array([0.3, 0.0]))}
    saddle_rows, saddle_paths = [], {}
    for label, (method, options, x0) in runs.items():
        problem = P.saddle(tuple(x0))
        res, path, _ = solve(problem, method, tol=1e-8, **options)
        saddle_paths[label] = path
        tag = label.split(",")[0].replace(" ", "_") + ("_y0" if "y₀" in label else "")
        r.number(f"saddle_f_{tag}", float(res.fun), f"f at the end, {label}")
        r.number(f"saddle_y_{tag}", float(res.x[1]))
        r.number(f"saddle_nit_{tag}", int(res.nit))
        saddle_rows.append([label, f"({res.x[0]:.2g}, {res.x[1]:.6g})", f"{res.fun:.3g}", res.nit,
                            "saddle" if abs(res.fun) < 1e-6 else "minimum" if abs(res.fun + 1) < 1e-6 else "?"])
    r.table("From (0.3, 0.001) near the saddle of x² − y² + y⁴/4 (minima −1 at y = ±√2)",
            ["run", "end point", "f", "iterations", "stopped at"], saddle_rows)
    n = r.numbers
    newton_trapped = abs(n["saddle_f_pure_Newton"]) < 1e-6 and abs(n["saddle_f_modified_Newton"] + 1) < 1e-6
    r.verdict("newton-saddle", "depends" if newton_trapped else "confirmed" if abs(n["saddle_f_modified_Newton"]) < 1e-6
              else "corrected")
    gd_escapes = abs(n["saddle_f_gradient_descent"] + 1) < 1e-6
    gd_stuck_on_line = abs(n["saddle_f_gradient_descent_y0"]) < 1e-6
    r.verdict("gd-escapes-saddle", "depends" if gd_escapes and gd_stuck_on_line else "confirmed" if gd_escapes
              else "corrected")

    # steepest descent with a fixed step on a quadratic: does the step have to shrink?
    curvatures = np.array([1.0, 50.0])
    r.number("fixed_steps", FIXED_STEPS)
    for tag, factor_of_l in (("1", 1.0), ("1_9", 1.9), ("2_1", 2.1)):
        p = Tensor(np.array([-4.0, 1.5]), requires_grad=True)
        opt = optim.SGD([p], lr=factor_of_l / curvatures.max())
        ys = [p.data[1]]
        for _ in range(FIXED_STEPS):
            opt.zero_grad()
            (0.5 * (curvatures[0] * p[0] ** 2 + curvatures[1] * p[1] ** 2)).backward()
            opt.step()
            ys.append(p.data[1])
        signs = np.sign(np.array(ys)[np.array(ys) != 0])
        r.number(f"fixed_step_error_{tag}", float(np.max(np.abs(p.data))),
                 f"|x_{FIXED_STEPS}|∞, fixed step {factor_of_l}/L")
        r.number(f"fixed_step_flips_{tag}", int(np.count_nonzero(signs[1:] != signs[:-1])), "sign changes of y")
    r.verdict("gd-step-must-shrink", "corrected" if n["fixed_step_error_1"] < 1e-10 and n["fixed_step_flips_1"] == 0
              and n["fixed_step_error_1_9"] < 1e-6 else "confirmed")

    _figures(r, problems, paths, errors, saddle_paths)
    return r


def _figures(r: Result, problems, paths, errors, saddle_paths) -> None:
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 3, figsize=(15, 4.2))
    for method in METHODS:
        axs[0].semilogy(np.maximum(errors[method], 1e-17), lw=1.2, label=f"{method} ({len(errors[method]) - 1})")
    axs[0].set(xlabel="iteration", ylabel="‖x_k − x*‖", title="Rosenbrock 2-d: error per iteration", xlim=(0, 80))
    axs[0].legend(fontsize=8)
    xs, ys = np.meshgrid(np.linspace(-1.6, 1.6, 200), np.linspace(-0.6, 1.8, 200))
    axs[1].contour(xs, ys, (1 - xs) ** 2 + 100 * (ys - xs ** 2) ** 2, levels=np.geomspace(0.05, 800, 14), colors="0.8",
                   linewidths=0.7)
    for method in ("gd", "newton", "bfgs"):
        path = paths["rosenbrock-2", method]
        axs[1].plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=method)
    axs[1].set(title="Rosenbrock 2-d: paths", xlim=(-1.6, 1.6), ylim=(-0.6, 1.8))
    axs[1].legend(fontsize=8)
    xs, ys = np.meshgrid(np.linspace(-0.5, 0.5, 200), np.linspace(-0.4, 1.8, 200))
    axs[2].contour(xs, ys, xs ** 2 - ys ** 2 + ys ** 4 / 4, levels=14, colors="0.8", linewidths=0.7)
    for label, path in saddle_paths.items():
        axs[2].plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=label)
    axs[2].plot(0, 0, "kx")
    axs[2].set(title="near the saddle of x² − y² + y⁴/4", xlim=(-0.5, 0.5), ylim=(-0.4, 1.8))
    axs[2].legend(fontsize=7)
    r.figure("newton_vs_gd", fig, "Left: distance to the minimiser per iteration (iterations in brackets); Newton's "
                                  "curve bends down ever more steeply at the end (quadratic convergence). Middle: the "
                                  "paths in the valley. Right: pure Newton jumps to the saddle, modified Newton and "
                                  "gradient descent go down to a minimum.")


ENTRY = Entry(
    id="newton",
    section="G",
    title={"zh": "梯度下降与牛顿法的区别", "en": "Gradient descent vs. Newton's method (and quasi-Newton)"},
    keywords=["newton", "牛顿法", "拟牛顿", "quasi-newton", "BFGS", "L-BFGS", "hessian", "海森矩阵", "二阶",
              "second order", "conjugate gradient", "共轭梯度", "gradient descent", "梯度下降", "saddle", "鞍点",
              "quadratic convergence"],
    claims={
        "fast": {
            "en": "The notes: \"Newton's method converges fast\" (second order; gradient descent, first order, "
                  "converges slowly).",
            "zh": "笔记：\"牛顿法：二阶优化，收敛速度较快……梯度下降法：一阶优化，收敛速度较慢\"；\"①收敛速度很快\"。"},
        "hessian-inverse-shrinks": {
            "en": "The notes: \"the inverse of the Hessian keeps decreasing over the iterations, which gradually "
                  "reduces the step size\".",
            "zh": "笔记：\"②海森矩阵的逆在迭代过程中不断减小，可以起到逐步减小步长的效果。\""},
        "expensive": {
            "en": "The notes: \"the inverse Hessian is complicated and costly to compute, hence quasi-Newton "
                  "methods\".",
            "zh": "笔记：\"③缺点：海森矩阵的逆计算复杂，代价比较大，因此有了拟牛顿法。\""},
        "positive-definite-only": {
            "en": "The notes: \"Newton's method only applies where the Hessian is positive definite\".",
            "zh": "笔记：\"牛顿法……只适用于 Hessian 矩阵是正定的情况。\""},
        "newton-saddle": {
            "en": "The notes: \"in non-convex optimisation Newton's method easily gets stuck at saddle points\".",
            "zh": "笔记：\"牛顿法……在非凸优化过程中容易陷入鞍点。\""},
        "gd-escapes-saddle": {
            "en": "The notes: \"gradient descent escapes saddle points easily\".",
            "zh": "笔记：\"梯度下降法：一阶优化，收敛速度较慢，容易逃离鞍点。\""},
        "gd-step-must-shrink": {
            "en": "The notes: \"near the optimum gradient descent's step must keep shrinking, or it oscillates "
                  "around the optimum\".",
            "zh": "笔记：\"梯度下降法……越接近最优值时，步长应该不断减小，否则会在最优值附近来回震荡。\""},
    },
    answer={
        "en": r"""
Gradient descent uses the slope only: $x_{k+1} = x_k - \alpha \nabla f(x_k)$, with a step $\alpha$ chosen by
a line search (or fixed). Newton's method fits the local quadratic model
$f(x + p) \approx f + \nabla f^\top p + \frac{1}{2} p^\top H p$ and jumps to its stationary point,
$p = -H^{-1} \nabla f$: it rescales every direction by its curvature, so ill-conditioning costs it nothing,
and near a minimiser the number of correct digits doubles each iteration. Quasi-Newton methods (BFGS,
L-BFGS) build an approximation of $H^{-1}$ from successive gradients; Newton-CG solves $Hp = -\nabla f$
with conjugate gradients using only Hessian-vector products; nonlinear CG keeps one previous direction.
All live in `gradbook.optimize.minimize` (SciPy's contract; each method is compared with SciPy in the tests).

**Iterations** to a gradient of {=TOL_text} (table): on Rosenbrock Newton needs {=nit_rosenbrock_2_newton},
BFGS {=nit_rosenbrock_2_bfgs}, L-BFGS {=nit_rosenbrock_2_l_bfgs}, CG {=nit_rosenbrock_2_cg}, while steepest
descent stops at its limit of {=nit_rosenbrock_2_gd} iterations, {=error_rosenbrock_2_gd:.2f} from the answer.
On the quadratic with condition number 1e4 Newton takes {=nit_quadratic_1e4_newton} step (the model is exact),
BFGS {=nit_quadratic_1e4_bfgs}, CG {=nit_quadratic_1e4_cg}; steepest descent again runs out
({=nit_quadratic_1e4_gd}). On logistic regression (breast cancer) Newton takes {=nit_logistic_newton}
iterations, L-BFGS {=nit_logistic_l_bfgs}, steepest descent {=nit_logistic_gd}.

**Quadratic convergence**, read off the error: Newton's last errors on Rosenbrock are {=newton_tail_errors};
$e_{k+1}/e_k^2$ stays below {=newton_quadratic_ratio_max:.0f} while $e_{k+1}/e_k$ falls to
{=newton_linear_ratio_last:.1e}, and the estimated order $\log(e_{k+1}/e_k)/\log(e_k/e_{k-1})$ is {=newton_orders}. BFGS is superlinear ($e_{k+1}/e_k$ = {=bfgs_linear_ratio_last:.1e} at its end),
steepest descent linear ({=gd_linear_ratio_last:.4f} per step).

The notes' claims:

- **"Fast"** — in iterations, yes: Newton took the fewest on every problem. Per iteration it costs far more.
- **"Costly, hence quasi-Newton"** — yes, and it grows with $n$: with the Hessian formed by autograd ($n$
  Hessian-vector products) and factorised, one Newton iteration on Rosenbrock costs as much as
  {=cost_ratio_10:.1f} gradient evaluations at $n$ = 10 and {=cost_ratio_30:.1f} at $n$ = 30, where an L-BFGS
  iteration costs about one. At $n$ = 30 Newton's {=cost_nit_30_newton} iterations cost about
  {=cost_units_30_newton:.0f} gradients, L-BFGS's whole run {=cost_njev_30_l_bfgs}. L-BFGS keeps $2m$ vectors
  instead of an $n \times n$ matrix: the method of choice for many parameters.
- **"The inverse Hessian keeps decreasing and shrinks the step"** — no. Along Newton's path $\|H^{-1}\|_2$ grows:
  from {=hinv_first_rosenbrock_2:.3f} to {=hinv_last_rosenbrock_2:.2f} on Rosenbrock, and from
  {=hinv_first_logistic:.1f} to {=hinv_last_logistic:.1f} on logistic regression (capped at $1/\lambda$ = {=hinv_cap_logistic:g} by the
  L2 term; as the fit sharpens,
  $\sigma(1-\sigma)$ shrinks, and so does $H$). Newton's steps shrink because the *gradient* vanishes (last step
  {=newton_last_step_rosenbrock_2:.1e}), with the full step $\alpha = 1$ accepted.
- **"Only where H is positive definite"** — for the pure method, yes: at (0.001, 0.3) on $x^2 - y^2 + y^4/4$,
  $H$ has eigenvalues {=indefinite_eigs}, and the pure step has slope $\nabla f^\top p$ = {=pure_slope:.3f} > 0:
  uphill (f rises by {=pure_f_change:.3f}). Modified Newton adds $\tau I$ ($\tau$ = {=modified_tau:.2f}), the step
  goes downhill (slope {=modified_slope:.4g}), and the method works anywhere.
- **"Newton gets stuck at saddles"** — pure Newton does: it seeks $\nabla f = 0$, and from (0.3, 0.001) it lands
  on the saddle in {=saddle_nit_pure_Newton} step (f = {=saddle_f_pure_Newton:.1e}). Modified Newton reaches
  the minimum (f = {=saddle_f_modified_Newton:g}) in {=saddle_nit_modified_Newton} iterations.
- **"Gradient descent escapes saddles"** — from (0.3, 0.001), yes (f = {=saddle_f_gradient_descent:.6f}); started
  on the line $y = 0$ it converges to the saddle (f = {=saddle_f_gradient_descent_y0:.1e}). It escapes because
  the negative curvature amplifies any perturbation, not because it is first order.
- **"The step must keep shrinking near the optimum"** — not for full-batch gradient descent: the gradient
  itself vanishes. A fixed step $1/L$ on $\frac{1}{2}(x^2 + 50y^2)$ ends {=fixed_step_error_1:.1e} from the
  minimum after {=fixed_steps} steps without a single oscillation ({=fixed_step_flips_1} sign changes); $1.9/L$ zig-zags
  ({=fixed_step_flips_1_9} sign changes) and still converges ({=fixed_step_error_1_9:.1e}); only beyond $2/L$
  does it diverge ({=fixed_step_error_2_1:.1e}). Decaying steps are needed for *stochastic* gradients, whose
  noise does not vanish at the optimum.
""",
        "zh": r"""
梯度下降只用斜率：$x_{k+1} = x_k - \alpha \nabla f(x_k)$，步长 $\alpha$ 由线搜索决定（或固定）。牛顿法用局部二次模型
$f(x + p) \approx f + \nabla f^\top p + \frac{1}{2} p^\top H p$，直接跳到它的驻点 $p = -H^{-1} \nabla f$：按曲率缩放每个方向，
所以病态条件对它没有影响；在极小点附近，每次迭代正确的位数翻倍。拟牛顿法（BFGS、L-BFGS）用相邻两次的梯度来逼近 $H^{-1}$；
Newton-CG 只用 Hessian-向量积，用共轭梯度解 $Hp = -\nabla f$；非线性共轭梯度法只多记住上一个方向。这些方法都在
`gradbook.optimize.minimize` 里（与 SciPy 相同的接口，测试中逐一与 SciPy 对比）。

**迭代次数**（梯度降到 {=TOL_text}，见表）：在 Rosenbrock 上牛顿法 {=nit_rosenbrock_2_newton} 次，BFGS {=nit_rosenbrock_2_bfgs} 次，
L-BFGS {=nit_rosenbrock_2_l_bfgs} 次，CG {=nit_rosenbrock_2_cg} 次，而最速下降用完了 {=nit_rosenbrock_2_gd} 次的上限，离答案还有
{=error_rosenbrock_2_gd:.2f}。在条件数 1e4 的二次函数上牛顿法只要 {=nit_quadratic_1e4_newton} 步（模型是精确的），BFGS
{=nit_quadratic_1e4_bfgs} 次，CG {=nit_quadratic_1e4_cg} 次；最速下降又一次用完上限（{=nit_quadratic_1e4_gd}）。在逻辑回归（乳腺癌数据）上，
牛顿法 {=nit_logistic_newton} 次，L-BFGS {=nit_logistic_l_bfgs} 次，最速下降 {=nit_logistic_gd} 次。

**二次收敛**，从误差序列上读出来：牛顿法在 Rosenbrock 上最后几步的误差为 {=newton_tail_errors}；$e_{k+1}/e_k^2$ 始终小于
{=newton_quadratic_ratio_max:.0f}，而 $e_{k+1}/e_k$ 降到 {=newton_linear_ratio_last:.1e}，估计的收敛阶 $\log(e_{k+1}/e_k)/\log(e_k/e_{k-1})$ 为 {=newton_orders}。BFGS 是超线性的（最后 $e_{k+1}/e_k$ =
{=bfgs_linear_ratio_last:.1e}），最速下降是线性的（每步 {=gd_linear_ratio_last:.4f}）。

逐条检验笔记：

- **"收敛快"**——按迭代次数算，是的：牛顿法在每个问题上迭代次数都最少。但每次迭代贵得多。
- **"计算代价大，因此有了拟牛顿法"**——是的，而且随 $n$ 增长：用自动微分构造 Hessian（$n$ 次 Hessian-向量积）再做分解，
  Rosenbrock 上一次牛顿迭代的耗时相当于 $n$ = 10 时 {=cost_ratio_10:.1f} 次、$n$ = 30 时 {=cost_ratio_30:.1f} 次梯度计算，而 L-BFGS 一次迭代约为
  一次梯度。$n$ = 30 时牛顿法的 {=cost_nit_30_newton} 次迭代约合 {=cost_units_30_newton:.0f} 次梯度，L-BFGS 整个求解只用了 {=cost_njev_30_l_bfgs} 次。
  L-BFGS 只保存 $2m$ 个向量而不是 $n \times n$ 矩阵：参数很多时的首选。
- **"海森矩阵的逆不断减小，起到减小步长的效果"**——不对。沿牛顿法的路径，$\|H^{-1}\|_2$ 反而变大：Rosenbrock 上从
  {=hinv_first_rosenbrock_2:.3f} 变为 {=hinv_last_rosenbrock_2:.2f}，逻辑回归上从 {=hinv_first_logistic:.1f} 变为 {=hinv_last_logistic:.1f}
  （上限是 L2 项给出的 $1/\lambda$ = {=hinv_cap_logistic:g}；拟合越来越确定，$\sigma(1-\sigma)$ 变小，$H$ 也随之变小）。牛顿法的步长变小是因为*梯度*趋于 0（最后一步 {=newton_last_step_rosenbrock_2:.1e}），
  而且接受的是完整步长 $\alpha = 1$。
- **"只适用于 Hessian 正定的情况"**——对纯牛顿法成立：在 $x^2 - y^2 + y^4/4$ 的 (0.001, 0.3) 处，$H$ 的特征值为 {=indefinite_eigs}，
  纯牛顿步的斜率 $\nabla f^\top p$ = {=pure_slope:.3f} > 0：是上坡方向（f 增加 {=pure_f_change:.3f}）。修正牛顿法加上 $\tau I$
  （$\tau$ = {=modified_tau:.2f}），步子变成下坡（斜率 {=modified_slope:.4g}），在哪里都能用。
- **"牛顿法容易陷入鞍点"**——纯牛顿法确实如此：它求的是 $\nabla f = 0$，从 (0.3, 0.001) 出发 {=saddle_nit_pure_Newton} 步就落到鞍点
  （f = {=saddle_f_pure_Newton:.1e}）。修正牛顿法 {=saddle_nit_modified_Newton} 次迭代到达极小值（f = {=saddle_f_modified_Newton:g}）。
- **"梯度下降容易逃离鞍点"**——从 (0.3, 0.001) 出发确实如此（f = {=saddle_f_gradient_descent:.6f}）；但从直线 $y = 0$ 上出发，它收敛到鞍点
  （f = {=saddle_f_gradient_descent_y0:.1e}）。它能逃离是因为负曲率放大了任何扰动，而不是因为它是一阶方法。
- **"越接近最优值步长应不断减小，否则会来回震荡"**——对全量梯度下降不成立：梯度本身会趋于 0。在 $\frac{1}{2}(x^2 + 50y^2)$ 上用
  固定步长 $1/L$，{=fixed_steps} 步后离极小点 {=fixed_step_error_1:.1e}，一次震荡都没有（变号 {=fixed_step_flips_1} 次）；$1.9/L$ 会来回震荡
  （变号 {=fixed_step_flips_1_9} 次）但仍然收敛（{=fixed_step_error_1_9:.1e}）；只有超过 $2/L$ 才发散（{=fixed_step_error_2_1:.1e}）。
  需要逐渐减小步长的是*随机*梯度，它的噪声在最优点并不消失。
""",
    },
    compute=compute,
)
