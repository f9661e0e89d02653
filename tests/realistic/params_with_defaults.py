"""Optional parameters merged over module-level defaults before the model runs.

A heteroscedastic linear regression whose caller may omit the intercept or the noise level: the
loss copies DEFAULTS with dict(...) and overlays the given params with .update(), or writes the
merge as {**DEFAULTS, **params}.
"""
import numpy as np

AUTOGRAD = {"nll_dict_literal"}  # autograd's dict boxes do not support dict(...).update

DEFAULTS = {"b": 0.0, "log_sigma": 0.0}


def nll_update(params, X, y):
    p = dict(DEFAULTS)
    p.update(params)
    r = X @ p["w"] + p["b"] - y
    return 0.5 * np.sum(r ** 2) / np.exp(2 * p["log_sigma"]) + len(y) * p["log_sigma"]


def nll_dict_literal(params, X, y):
    p = {**DEFAULTS, **params}
    r = X @ p["w"] + p["b"] - y
    return 0.5 * np.sum(r ** 2) / np.exp(2 * p["log_sigma"]) + len(y) * p["log_sigma"]


def cases():
    rs = np.random.RandomState(76)
    X = rs.randn(6, 3)
    y = X @ np.array([1.0, -0.5, 0.2]) + 0.3 * rs.randn(6)
    params = {"w": 0.3 * rs.randn(3), "log_sigma": -0.5}
    return [(nll_update, (params, X, y), 0), (nll_dict_literal, (params, X, y), 0)]
