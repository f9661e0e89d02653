"""GP marginal likelihood with the numerical safeguards of production code.

If the Cholesky factorization fails, jitter is increased and the factorization retried inside a
try/except LinAlgError loop; divisions are wrapped in np.errstate; a warning path logs through
the warnings module.
"""
import warnings

import numpy as np

AUTOGRAD = False  # try/except around a traced cholesky is fine in autograd, but keep the oracle simple


def safe_cholesky(K, max_tries=5):
    jitter = 0.0
    for _ in range(max_tries):
        try:
            return np.linalg.cholesky(K + jitter * np.eye(K.shape[0]))
        except np.linalg.LinAlgError:
            jitter = 1e-8 if jitter == 0.0 else 10 * jitter
            warnings.warn("adding jitter %g to the kernel matrix" % jitter)
    raise np.linalg.LinAlgError("kernel matrix not positive definite")


def nlml_safe(log_params, X, y):
    ell, sf, sn = np.exp(log_params)
    d2 = (X[:, None] - X[None, :]) ** 2
    K = sf ** 2 * np.exp(-0.5 * d2 / ell ** 2) + sn ** 2 * np.eye(len(X))
    L = safe_cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L)))


def standardized_mse(w, X, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (X - X.mean(0)) / X.std(0)
    return np.mean((z @ w - y) ** 2)


def cases():
    rs = np.random.RandomState(65)
    X = np.sort(rs.uniform(0, 4, 7))
    y = np.sin(X) + 0.1 * rs.randn(7)
    Xm = rs.randn(6, 2)
    return [(nlml_safe, (np.log(np.array([1.0, 1.0, 0.1])), X, y), 0),
            (standardized_mse, (np.array([0.5, -0.3]), Xm, rs.randn(6)), 0)]
