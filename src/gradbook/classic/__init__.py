"""Classic machine learning with scikit-learn's API (fit / predict / predict_proba / transform /
score); the algorithms are gradbook's own, on NumPy. Estimators load on first use."""
from __future__ import annotations

import importlib

# name -> module inside gradbook.classic (add one line per estimator)
_EXPORTS: dict[str, str] = {
    "DecisionTreeClassifier": "tree",
    "DecisionTreeRegressor": "tree",
    "RandomForestClassifier": "forest",
    "RandomForestRegressor": "forest",
    "BaggingClassifier": "bagging",
    "AdaBoostClassifier": "adaboost",
    "GradientBoostingClassifier": "gradient_boosting",
    "GradientBoostingRegressor": "gradient_boosting",
    "LinearRegression": "linear",
    "Ridge": "linear",
    "Lasso": "linear",
    "linear_kernel": "kernels",
    "polynomial_kernel": "kernels",
    "rbf_kernel": "kernels",
    "poly2_feature_map": "kernels",
    "LogisticRegression": "logistic",
    "KernelLogisticRegression": "logistic",
    "SVC": "svm",
    "LinearSVC": "linear_svm",
    "PCA": "decomposition",
    "LinearDiscriminantAnalysis": "discriminant",
    "KMeans": "cluster",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'gradbook.classic' has no attribute {name!r}")


def __dir__():
    return sorted(_EXPORTS)


__all__ = sorted(_EXPORTS)
