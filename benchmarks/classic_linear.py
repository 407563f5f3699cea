"""Fit and predict time of gradbook's linear-family estimators against their scikit-learn twins.

Each (estimator, library) measurement runs in its own subprocess, gradbook and scikit-learn
alternated, with the same BLAS thread count; a child times ``fit`` and ``predict`` (or
``transform``) several times and reports the median. The table shows the median over repeats
and the ratio gradbook / scikit-learn (below 1: gradbook is faster).

    python benchmarks/classic_linear.py [--repeats 3] [--threads 1] [--only Ridge,SVC]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from _timing import run_child

# name -> (dataset, gradbook constructor, scikit-learn constructor, method timed after fit)
CASES = {
    "LinearRegression": ("regression", "LinearRegression()", "linear_model.LinearRegression()", "predict"),
    "Ridge": ("regression", "Ridge(1.0)", "linear_model.Ridge(1.0)", "predict"),
    "Lasso": ("regression", "Lasso(0.5)", "linear_model.Lasso(alpha=0.5)", "predict"),
    "LogisticRegression lbfgs (10 classes)": (
        "digits", "LogisticRegression(max_iter=1000)", "linear_model.LogisticRegression(max_iter=1000)",
        "predict_proba"),
    "LogisticRegression lbfgs (binary)": (
        "cancer", "LogisticRegression()", "linear_model.LogisticRegression()", "predict_proba"),
    "LogisticRegression newton (binary)": (
        "cancer", "LogisticRegression(solver='newton')",
        "linear_model.LogisticRegression(solver='newton-cholesky')", "predict_proba"),
    "LogisticRegression l1 gd vs saga (binary)": (
        "cancer", "LogisticRegression('l1', solver='gd', max_iter=1000)",
        "linear_model.LogisticRegression(l1_ratio=1.0, solver='saga', max_iter=1000)", "predict_proba"),
    "SVC rbf": ("moons", "SVC()", "svm.SVC()", "decision_function"),
    "SVC linear (3 classes)": ("iris", "SVC(kernel='linear')", "svm.SVC(kernel='linear')", "decision_function"),
    "LinearSVC primal (binary)": ("cancer", "LinearSVC(dual=False)", "svm.LinearSVC(dual=False)", "decision_function"),
    "LinearSVC dual (binary)": ("cancer", "LinearSVC(dual=True)", "svm.LinearSVC(dual=True)", "decision_function"),
    "PCA": ("digits", "PCA(20)", "decomposition.PCA(20)", "transform"),
    "LinearDiscriminantAnalysis": (
        "digits", "LinearDiscriminantAnalysis()", "discriminant_analysis.LinearDiscriminantAnalysis()",
        "predict"),
    "KMeans": ("blobs", "KMeans(8, random_state=0)", "cluster.KMeans(8, random_state=0)", "predict"),
}


def _dataset(name: str):
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    if name == "regression":
        return datasets.make_regression(5000, 50, n_informative=20, noise=5.0, random_state=0)
    if name == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    if name == "cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    if name == "moons":
        return datasets.make_moons(1000, noise=0.3, random_state=0)
    if name == "iris":
        X, y = datasets.load_iris(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    return datasets.make_blobs(5000, n_features=10, centers=8, cluster_std=3.0, random_state=0)


def _child(args) -> None:
    import warnings

    warnings.simplefilter("ignore")
    data, ours, theirs, method = CASES[args.case]
    X, y = _dataset(data)
    if args.lib == "gradbook":
        from gradbook import classic
        ns, expr = {"classic": classic}, "classic." + ours
    else:
        from sklearn import cluster, decomposition, discriminant_analysis, linear_model, svm
        ns = dict(cluster=cluster, decomposition=decomposition, linear_model=linear_model, svm=svm,
                  discriminant_analysis=discriminant_analysis)
        expr = theirs
    make = lambda: eval(expr, ns)  # noqa: E731  (constructors are the literal strings in CASES)
    make().fit(X, y)                                      # warm-up (imports, caches)
    fits, preds = [], []
    for _ in range(args.runs):
        est = make()
        t = time.perf_counter()
        est.fit(X, y)
        fits.append(time.perf_counter() - t)
        t = time.perf_counter()
        getattr(est, method)(X)
        preds.append(time.perf_counter() - t)
    print(json.dumps({"fit": statistics.median(fits), "predict": statistics.median(preds)}))


def _run(case: str, lib: str, args) -> dict:
    return run_child([__file__, "--child", "--case", case, "--lib", lib, "--runs", str(args.runs)], args.threads)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3, help="subprocess pairs per estimator")
    p.add_argument("--runs", type=int, default=5, help="timed fits inside each subprocess")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads for both libraries")
    p.add_argument("--only", default="", help="comma-separated substrings of case names")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--case", help=argparse.SUPPRESS)
    p.add_argument("--lib", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return _child(args)
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    cases = [c for c in CASES if not args.only or any(s in c for s in args.only.split(","))]
    table = Table(title=f"gradbook vs scikit-learn (median of {args.repeats} alternated subprocess pairs, "
                        f"{args.threads} BLAS thread(s))")
    for col in ("estimator", "data", "fit gradbook", "fit sklearn", "fit ratio", "predict gradbook",
                "predict sklearn", "predict ratio"):
        table.add_column(col, justify="left" if col in ("estimator", "data") else "right")
    for case in track(cases, description="timing"):
        res = {"gradbook": [], "sklearn": []}
        for _ in range(args.repeats):
            for lib in ("gradbook", "sklearn"):                # alternated
                res[lib].append(_run(case, lib, args))
        med = {lib: {k: statistics.median(r[k] for r in runs) for k in ("fit", "predict")}
               for lib, runs in res.items()}
        g, s = med["gradbook"], med["sklearn"]
        table.add_row(case, CASES[case][0], _fmt(g["fit"]), _fmt(s["fit"]), f"{g['fit'] / s['fit']:.2f}x",
                      _fmt(g["predict"]), _fmt(s["predict"]), f"{g['predict'] / s['predict']:.2f}x")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
