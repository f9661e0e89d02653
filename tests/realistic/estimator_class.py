"""An sklearn-like estimator class whose private _loss method is what gets differentiated.

Hyperparameters live on self (C, fit_intercept, penalty); fit() would pass self._loss to an
optimizer. Validation raises ValueError in __init__ and in the loss itself.
"""
import numpy as np

AUTOGRAD = True


class LogisticRegressionGD:
    def __init__(self, C=1.0, fit_intercept=True, penalty="l2"):
        if penalty not in ("l2", "none"):
            raise ValueError("penalty must be 'l2' or 'none'")
        self.C = C
        self.fit_intercept = fit_intercept
        self.penalty = penalty

    def _split(self, w):
        if self.fit_intercept:
            return w[:-1], w[-1]
        return w, 0.0

    def _loss(self, w, X, y):
        coef, intercept = self._split(w)
        z = X @ coef + intercept
        loss = np.sum(np.logaddexp(0, z) - y * z)
        if self.penalty == "l2":
            loss = loss + 0.5 / self.C * np.dot(coef, coef)
        return loss / X.shape[0]


class PoissonGLM(LogisticRegressionGD):
    """Inherits _split; overrides _loss (method resolution through a subclass)."""

    def _loss(self, w, X, y):
        coef, intercept = self._split(w)
        eta = X @ coef + intercept
        return np.mean(np.exp(eta) - y * eta) + 0.5 / self.C * np.sum(coef ** 2)


def cases():
    rs = np.random.RandomState(62)
    X = rs.randn(8, 3)
    y = (rs.rand(8) > 0.5).astype(float)
    counts = rs.poisson(2.0, size=8).astype(float)
    w = 0.3 * rs.randn(4)
    return [(LogisticRegressionGD(C=2.0)._loss, (w, X, y), 0),
            (PoissonGLM(C=1.0)._loss, (w, X, counts), "w")]
