"""Fit and predict time of gradbook's trees and ensembles against their scikit-learn twins.

    python benchmarks/classic.py [--rounds 2] [--only RandomForestClassifier ...] [--clock cpu]

Data: make_classification / make_regression, 2000 x 20 (1500 to fit, 500 to predict). Each
(library, estimator) runs in its own subprocess (fresh interpreter, one thread of BLAS), the two
libraries alternate, and each subprocess reports the best of ``--repeat`` timings; the table shows
the median over rounds and the ratio gradbook / scikit-learn (below 1: gradbook is faster).
Both sides are single-threaded (scikit-learn's n_jobs=None). ``--clock cpu`` times the process's
CPU time (``time.process_time``) instead of wall time: steadier on a loaded machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

from _timing import run_child

# name -> (constructor keyword arguments, task)
ESTIMATORS = {
    "DecisionTreeClassifier": ({}, "cls"),
    "DecisionTreeRegressor": ({}, "reg"),
    "RandomForestClassifier": ({"n_estimators": 100}, "cls"),
    "RandomForestRegressor": ({"n_estimators": 100}, "reg"),
    "BaggingClassifier": ({"n_estimators": 10}, "cls"),
    "AdaBoostClassifier": ({"n_estimators": 50}, "cls"),
    "GradientBoostingClassifier": ({"n_estimators": 100}, "cls"),
    "GradientBoostingRegressor": ({"n_estimators": 100}, "reg"),
}

_CHILD = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import make_classification, make_regression
lib, name, kw, task = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
repeat = int(sys.argv[5])
clock = time.process_time if sys.argv[6] == "cpu" else time.perf_counter
if lib == "gradbook":
    import gradbook.classic as mod
else:
    import sklearn.ensemble, sklearn.tree
    mod = sklearn.tree if name.startswith("Decision") else sklearn.ensemble
Est = getattr(mod, name)
if task == "cls":
    X, y = make_classification(2000, 20, n_informative=10, random_state=0)
else:
    X, y = make_regression(2000, 20, n_informative=10, noise=10.0, random_state=0)
Xtr, ytr, Xte = X[:1500], y[:1500], X[1500:]
Est(**kw, random_state=0).fit(Xtr[:200], ytr[:200]).predict(Xte[:10])   # warm-up
fit_t, pred_t = [], []
for _ in range(repeat):
    t0 = clock()
    est = Est(**kw, random_state=0).fit(Xtr, ytr)
    t1 = clock()
    pred = est.predict(Xte); t2 = clock()
    fit_t.append(t1 - t0); pred_t.append(t2 - t1)
score = est.score(X[1500:], y[1500:])
print(json.dumps({"fit": min(fit_t), "predict": min(pred_t), "score": score}))
"""


def _run(lib: str, name: str, repeat: int, clock: str = "wall") -> dict:
    kw, task = ESTIMATORS[name]
    return run_child(["-c", _CHILD, lib, name, json.dumps(kw), task, str(repeat), clock], threads=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall time (perf_counter) or the process's CPU time (process_time)")
    args = ap.parse_args()
    names = args.only or list(ESTIMATORS)
    results = {(lib, n): [] for lib in ("gradbook", "sklearn") for n in names}
    for r in range(args.rounds):
        for n in names:
            libs = ("gradbook", "sklearn") if r % 2 == 0 else ("sklearn", "gradbook")
            for lib in libs:
                results[(lib, n)].append(_run(lib, n, args.repeat, args.clock))
            print(f"round {r + 1}/{args.rounds}: {n} done", file=sys.stderr)

    def med(lib, n, key):
        return statistics.median(x[key] for x in results[(lib, n)])

    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover
        Console = None
    header = ["estimator", "fit gb (s)", "fit sk (s)", "fit ratio", "predict gb (ms)",
              "predict sk (ms)", "predict ratio", "score gb", "score sk"]
    rows = []
    for n in names:
        fg, fs = med("gradbook", n, "fit"), med("sklearn", n, "fit")
        pg, ps = med("gradbook", n, "predict"), med("sklearn", n, "predict")
        rows.append([n, f"{fg:.3f}", f"{fs:.3f}", f"{fg / fs:.2f}x", f"{1e3 * pg:.2f}",
                     f"{1e3 * ps:.2f}", f"{pg / ps:.2f}x", f"{med('gradbook', n, 'score'):.3f}",
                     f"{med('sklearn', n, 'score'):.3f}"])
    if Console is not None:
        table = Table(title="gradbook.classic trees/ensembles vs scikit-learn "
                            "(2000 x 20, fit on 1500, predict 500; ratio = gradbook / sklearn)")
        for h in header:
            table.add_column(h, justify="left" if h == "estimator" else "right")
        for row in rows:
            table.add_row(*row)
        Console(width=160).print(table)
    # plain markdown too, for pasting
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
