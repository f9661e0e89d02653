"""Adjoint templates for scipy.special: primal result first, then the primal's arguments by name.

Imported by the first rule lookup after the program imports scipy.special (`registry.OPTIONAL`).
Every template is written with functions that have rules themselves (digamma's derivative is
polygamma(1, x), polygamma's is polygamma(n + 1, x)), so gradients can be differentiated again.
"""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.special

from srcgrad.rules.outer import outer_rules
from srcgrad.rules.registry import ADJOINTS, template_decorator
from srcgrad.runtime import unbroadcast, unreduce
from srcgrad.runtime.scipy import no_sign, value_or

digamma, expit, polygamma = scipy.special.digamma, scipy.special.expit, scipy.special.polygamma
INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi): the standard normal density at 0
TWO_OVER_SQRT_PI = 1.1283791670955126  # d erf(x) / dx at 0
HALF_SQRT_PI = 0.8862269254527580  # d erfinv(y) / dy at 0


def special(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint of each `scipy.special.<name>`."""
    return template_decorator(ADJOINTS, [(getattr(scipy.special, n), f"scipy.special.{n}") for n in names])


# ---- logistic --------------------------------------------------------------------------------

@special("expit")
def expit_(y, x):
    d[x] = d[y] * y * (1.0 - y)


@special("log_expit")
def log_expit(y, x):
    d[x] = d[y] * expit(-x)


@special("logit")
def logit(y, x):
    d[x] = d[y] / (x * (1.0 - x))


# ---- gamma family ----------------------------------------------------------------------------

@special("gammaln")
def gammaln(y, x):
    d[x] = d[y] * digamma(x)


@special("gamma")
def gamma(y, x):
    d[x] = d[y] * y * digamma(x)


@special("digamma")  # also scipy.special.psi, the same ufunc
def digamma_(y, x):
    d[x] = d[y] * polygamma(1, x)


@special("polygamma")
def polygamma_(y, n, x):
    d[x] = unbroadcast(d[y] * polygamma(n + 1, x), x)


@special("betaln")
def betaln(z, a, b):
    d[a] = unbroadcast(d[z] * (digamma(a) - digamma(a + b)), a)
    d[b] = unbroadcast(d[z] * (digamma(b) - digamma(a + b)), b)


# ---- error function and the normal distribution ----------------------------------------------

@special("erf")
def erf(y, x):
    d[x] = d[y] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@special("erfc")
def erfc(y, x):
    d[x] = -d[y] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@special("erfinv")
def erfinv(y, x):
    d[x] = d[y] * HALF_SQRT_PI * np.exp(y * y)


@special("ndtr")
def ndtr(y, x):
    d[x] = d[y] * INV_SQRT_2PI * np.exp(-0.5 * x * x)


@special("log_ndtr")
def log_ndtr(y, x):
    # phi(x) / Phi(x) = exp(-x^2 / 2 - log Phi(x)) / sqrt(2 pi): no underflow far in the lower tail
    d[x] = d[y] * INV_SQRT_2PI * np.exp(-0.5 * x * x - y)


@special("ndtri")
def ndtri(y, x):
    d[x] = d[y] / (INV_SQRT_2PI * np.exp(-0.5 * y * y))


# ---- x log y ---------------------------------------------------------------------------------

@special("xlogy")
def xlogy(z, x, y):
    d[x] = unbroadcast(d[z] * np.log(y), x)
    d[y] = unbroadcast(d[z] * x / y, y)


@special("xlog1py")
def xlog1py(z, x, y):
    d[x] = unbroadcast(d[z] * np.log1p(y), x)
    d[y] = unbroadcast(d[z] * x / (1.0 + y), y)


# ---- reductions over an axis -----------------------------------------------------------------

@special("logsumexp")
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    no_sign(return_sign)
    weights = value_or(b, 1.0)
    full = a + np.zeros_like(weights)  # SciPy reduces a and b broadcast together
    share = np.exp(full - unreduce(y, full, axis, keepdims)) * unreduce(d[y], full, axis, keepdims)
    d[a] = unbroadcast(share * weights, a)
    d[b] = unbroadcast(share, b)


@special("softmax")
def softmax(y, x, axis=None):
    d[x] = y * (d[y] - np.sum(d[y] * y, axis=axis, keepdims=True))


@special("log_softmax")
def log_softmax(y, x, axis=None):
    d[x] = d[y] - np.exp(y) * np.sum(d[y], axis=axis, keepdims=True)


# ---- ufunc.outer of the two-argument ufuncs above: derived from their rules (rules/outer.py) ---

outer_rules(ADJOINTS, scipy.special.betaln, scipy.special.xlogy, scipy.special.xlog1py)
