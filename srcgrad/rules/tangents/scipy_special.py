"""Tangent templates for scipy.special, mirroring rules/scipy_special.py: a template assigns `d[result]`."""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.special

from srcgrad.rules.outer import outer_rules
from srcgrad.rules.tangents.helpers import broadcast_like
from srcgrad.rules.tangents.registry import TANGENTS
from srcgrad.rules.registry import template_decorator
from srcgrad.runtime import unreduce
from srcgrad.runtime.scipy import no_sign, value_or

digamma, expit, polygamma = scipy.special.digamma, scipy.special.expit, scipy.special.polygamma
INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)
TWO_OVER_SQRT_PI = 1.1283791670955126
HALF_SQRT_PI = 0.8862269254527580


def special(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each `scipy.special.<name>`."""
    return template_decorator(TANGENTS, [(getattr(scipy.special, n), f"scipy.special.{n}") for n in names],
                              "tangent rule")


# ---- logistic --------------------------------------------------------------------------------

@special("expit")
def expit_(y, x):
    d[y] = d[x] * y * (1.0 - y)


@special("log_expit")
def log_expit(y, x):
    d[y] = d[x] * expit(-x)


@special("logit")
def logit(y, x):
    d[y] = d[x] / (x * (1.0 - x))


# ---- gamma family ----------------------------------------------------------------------------

@special("gammaln")
def gammaln(y, x):
    d[y] = d[x] * digamma(x)


@special("gamma")
def gamma(y, x):
    d[y] = d[x] * y * digamma(x)


@special("digamma")
def digamma_(y, x):
    d[y] = d[x] * polygamma(1, x)


@special("polygamma")
def polygamma_(y, n, x):
    d[y] = broadcast_like(d[x] * polygamma(n + 1, x), y)


@special("betaln")
def betaln(z, a, b):
    d[z] = broadcast_like(d[a] * (digamma(a) - digamma(a + b)) + d[b] * (digamma(b) - digamma(a + b)), z)


# ---- error function and the normal distribution ----------------------------------------------

@special("erf")
def erf(y, x):
    d[y] = d[x] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@special("erfc")
def erfc(y, x):
    d[y] = -d[x] * TWO_OVER_SQRT_PI * np.exp(-x * x)


@special("erfinv")
def erfinv(y, x):
    d[y] = d[x] * HALF_SQRT_PI * np.exp(y * y)


@special("ndtr")
def ndtr(y, x):
    d[y] = d[x] * INV_SQRT_2PI * np.exp(-0.5 * x * x)


@special("log_ndtr")
def log_ndtr(y, x):
    d[y] = d[x] * INV_SQRT_2PI * np.exp(-0.5 * x * x - y)


@special("ndtri")
def ndtri(y, x):
    d[y] = d[x] / (INV_SQRT_2PI * np.exp(-0.5 * y * y))


# ---- x log y ---------------------------------------------------------------------------------

@special("xlogy")
def xlogy(z, x, y):
    d[z] = broadcast_like(d[x] * np.log(y) + d[y] * x / y, z)


@special("xlog1py")
def xlog1py(z, x, y):
    d[z] = broadcast_like(d[x] * np.log1p(y) + d[y] * x / (1.0 + y), z)


# ---- reductions over an axis -----------------------------------------------------------------

@special("logsumexp")
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    no_sign(return_sign)
    weights = value_or(b, 1.0)
    full = a + np.zeros_like(weights)
    d[y] = np.sum((d[a] * weights + d[b]) * np.exp(full - unreduce(y, full, axis, keepdims)), axis=axis,
                  keepdims=keepdims)


@special("softmax")
def softmax(y, x, axis=None):
    d[y] = y * (d[x] - np.sum(d[x] * y, axis=axis, keepdims=True))


@special("log_softmax")
def log_softmax(y, x, axis=None):
    d[y] = d[x] - np.sum(d[x] * np.exp(y), axis=axis, keepdims=True)


# ---- ufunc.outer of the two-argument ufuncs: derived from their rules (rules/outer.py) ---------

outer_rules(TANGENTS, scipy.special.betaln, scipy.special.xlogy, scipy.special.xlog1py)
