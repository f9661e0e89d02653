"""Objectives written for scipy.optimize.minimize(fun, x0, args=(X, y), jac=...), Coursera-port style.

The extra data arrives through *args or **kwargs; the bias column is added with np.c_ or
np.append; a module-level counter records the number of evaluations, and the loss is printed
every few calls, as people do while tuning an optimizer.
"""
import numpy as np

AUTOGRAD = {"cost_append"}  # the global counter and print are fine, but np.c_ is not traced by autograd

N_EVALS = 0


def cost_args(theta, *args):
    X, y = args
    m = len(y)
    Xb = np.c_[np.ones(m), X]
    h = 1.0 / (1.0 + np.exp(-Xb @ theta))
    return -(y @ np.log(h) + (1 - y) @ np.log(1 - h)) / m


def cost_kwargs(theta, X, y, **kwargs):
    lam = kwargs.get("lam", 0.0)
    m = X.shape[0]
    r = np.c_[np.ones(m), X].dot(theta) - y
    return (r @ r + lam * theta[1:] @ theta[1:]) / (2 * m)


def cost_append(theta, X, y):
    total = 0.0
    for xi, yi in zip(X, y):
        xb = np.append(1.0, xi)
        total = total + (xb @ theta - yi) ** 2
    return total / len(y)


def cost_counted(theta, X, y, verbose=False):
    global N_EVALS
    N_EVALS += 1
    r = X @ theta - y
    loss = 0.5 * np.mean(r ** 2)
    if verbose and N_EVALS % 10 == 0:
        print(f"eval {N_EVALS}: loss {loss:.4f}")
    return loss


def cases():
    rs = np.random.RandomState(63)
    X = rs.randn(8, 2)
    y01 = (rs.rand(8) > 0.5).astype(float)
    yr = X @ np.array([1.0, -1.0]) + 0.5
    theta = 0.2 * rs.randn(3)
    return [(cost_args, (theta, X, y01), 0), (cost_kwargs, (theta, X, yr), 0), (cost_append, (theta, X, yr), 0),
            (cost_counted, (theta[1:], X, yr), 0)]
