"""Adjoint templates for scipy.stats: methods of the distribution objects (`scipy.stats.norm.logpdf`).

Imported by the first rule lookup after the program imports scipy.stats (`registry.OPTIONAL`).
`norm.logpdf` is a new bound method at each read, but bound methods compare (and hash) equal when
their function and object are the same, so a rule registered under one is found for all of them.
Location-scale families are written in z = (x - loc) / scale: with f'(z) the derivative of the
standardized log-density, d/dx = f'(z) / scale, d/dloc = -f'(z) / scale and
d/dscale = -(1 + z f'(z)) / scale (the Jacobian term -log(scale) included). Discrete
distributions are differentiated with respect to their continuous parameters only.
"""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.special
import scipy.stats

from srcgrad.rules.registry import ADJOINTS, template_decorator
from srcgrad.runtime import unbroadcast
from srcgrad.runtime.scipy import covariance_back, covariance_matrix, mvn_dim, value_or

digamma = scipy.special.digamma
INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)


def stats(distribution: str, *methods: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint of each `scipy.stats.<distribution>.<method>`."""
    dist = getattr(scipy.stats, distribution)
    return template_decorator(ADJOINTS, [(getattr(dist, m), f"scipy.stats.{distribution}.{m}") for m in methods])


# ---- normal ----------------------------------------------------------------------------------

@stats("norm", "logpdf")
def norm_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[x] = unbroadcast(-d[y] * z / scale, x)
    d[loc] = unbroadcast(d[y] * z / scale, loc)
    d[scale] = unbroadcast(d[y] * (z * z - 1.0) / scale, scale)


@stats("norm", "pdf")
def norm_pdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[x] = unbroadcast(-d[y] * y * z / scale, x)
    d[loc] = unbroadcast(d[y] * y * z / scale, loc)
    d[scale] = unbroadcast(d[y] * y * (z * z - 1.0) / scale, scale)


@stats("norm", "cdf")
def norm_cdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = d[y] * INV_SQRT_2PI * np.exp(-0.5 * z * z) / scale
    d[x] = unbroadcast(slope, x)
    d[loc] = unbroadcast(-slope, loc)
    d[scale] = unbroadcast(-slope * z, scale)


@stats("norm", "logcdf")
def norm_logcdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = d[y] * INV_SQRT_2PI * np.exp(-0.5 * z * z - y) / scale  # phi / Phi without underflow
    d[x] = unbroadcast(slope, x)
    d[loc] = unbroadcast(-slope, loc)
    d[scale] = unbroadcast(-slope * z, scale)


@stats("norm", "sf")
def norm_sf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = -d[y] * INV_SQRT_2PI * np.exp(-0.5 * z * z) / scale
    d[x] = unbroadcast(slope, x)
    d[loc] = unbroadcast(-slope, loc)
    d[scale] = unbroadcast(-slope * z, scale)


@stats("norm", "logsf")
def norm_logsf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = -d[y] * INV_SQRT_2PI * np.exp(-0.5 * z * z - y) / scale
    d[x] = unbroadcast(slope, x)
    d[loc] = unbroadcast(-slope, loc)
    d[scale] = unbroadcast(-slope * z, scale)


# ---- other continuous log-densities ----------------------------------------------------------

@stats("t", "logpdf")
def t_logpdf(y, x, df, loc=0.0, scale=1.0):
    # log t = gammaln((v+1)/2) - gammaln(v/2) - log(v pi)/2 - log(scale) - (v+1)/2 log(1 + z^2/v)
    z = (x - loc) / scale
    w = (df + 1.0) * z / (df + z * z)  # -f'(z)
    d[x] = unbroadcast(-d[y] * w / scale, x)
    d[loc] = unbroadcast(d[y] * w / scale, loc)
    d[scale] = unbroadcast(d[y] * (w * z - 1.0) / scale, scale)
    d[df] = unbroadcast(d[y] * 0.5 * (digamma(0.5 * (df + 1.0)) - digamma(0.5 * df) - 1.0 / df
                                      - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z))), df)


@stats("gamma", "logpdf")
def gamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    # log gamma = (a - 1) log z - z - gammaln(a) - log(scale)
    z = (x - loc) / scale
    slope = d[y] * ((a - 1.0) / z - 1.0) / scale
    d[x] = unbroadcast(slope, x)
    d[loc] = unbroadcast(-slope, loc)
    d[scale] = unbroadcast(d[y] * (z - a) / scale, scale)
    d[a] = unbroadcast(d[y] * (np.log(z) - digamma(a)), a)


@stats("beta", "logpdf")
def beta_logpdf(y, x, a, b, loc=0.0, scale=1.0):
    # log beta = (a - 1) log z + (b - 1) log(1 - z) - betaln(a, b) - log(scale)
    z = (x - loc) / scale
    dz = (a - 1.0) / z - (b - 1.0) / (1.0 - z)
    d[x] = unbroadcast(d[y] * dz / scale, x)
    d[loc] = unbroadcast(-d[y] * dz / scale, loc)
    d[scale] = unbroadcast(-d[y] * (1.0 + z * dz) / scale, scale)
    d[a] = unbroadcast(d[y] * (np.log(z) - digamma(a) + digamma(a + b)), a)
    d[b] = unbroadcast(d[y] * (np.log1p(-z) - digamma(b) + digamma(a + b)), b)


@stats("expon", "logpdf")
def expon_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = unbroadcast(-d[y] / scale, x)
    d[loc] = unbroadcast(d[y] / scale, loc)
    d[scale] = unbroadcast(d[y] * ((x - loc) / scale - 1.0) / scale, scale)


@stats("laplace", "logpdf")
def laplace_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[x] = unbroadcast(-d[y] * np.sign(z) / scale, x)
    d[loc] = unbroadcast(d[y] * np.sign(z) / scale, loc)
    d[scale] = unbroadcast(d[y] * (np.abs(z) - 1.0) / scale, scale)


@stats("cauchy", "logpdf")
def cauchy_logpdf(y, x, loc=0.0, scale=1.0):
    # log cauchy = -log(pi) - log(scale) - log(1 + z^2): f'(z) = -2z / (1 + z^2)
    z = (x - loc) / scale
    w = 2.0 * z / (1.0 + z * z)  # -f'(z)
    d[x] = unbroadcast(-d[y] * w / scale, x)
    d[loc] = unbroadcast(d[y] * w / scale, loc)
    d[scale] = unbroadcast(d[y] * (w * z - 1.0) / scale, scale)


@stats("halfcauchy", "logpdf")
def halfcauchy_logpdf(y, x, loc=0.0, scale=1.0):
    # log halfcauchy = log(2 / pi) - log(scale) - log(1 + z^2) for z >= 0: Cauchy's derivatives there
    z = (x - loc) / scale
    w = 2.0 * z / (1.0 + z * z)
    d[x] = unbroadcast(-d[y] * w / scale, x)
    d[loc] = unbroadcast(d[y] * w / scale, loc)
    d[scale] = unbroadcast(d[y] * (w * z - 1.0) / scale, scale)


@stats("halfnorm", "logpdf")
def halfnorm_logpdf(y, x, loc=0.0, scale=1.0):
    # log halfnorm = log(2) + log norm for z >= 0: the normal's derivatives there
    z = (x - loc) / scale
    d[x] = unbroadcast(-d[y] * z / scale, x)
    d[loc] = unbroadcast(d[y] * z / scale, loc)
    d[scale] = unbroadcast(d[y] * (z * z - 1.0) / scale, scale)


@stats("lognorm", "logpdf")
def lognorm_logpdf(y, x, s, loc=0.0, scale=1.0):
    # log lognorm = -log(s z sqrt(2 pi)) - log(z)^2 / (2 s^2) - log(scale): f'(z) = -(1 + log(z) / s^2) / z
    z = (x - loc) / scale
    dz = -(1.0 + np.log(z) / (s * s)) / z
    d[x] = unbroadcast(d[y] * dz / scale, x)
    d[loc] = unbroadcast(-d[y] * dz / scale, loc)
    d[scale] = unbroadcast(-d[y] * (1.0 + z * dz) / scale, scale)
    d[s] = unbroadcast(d[y] * (np.log(z) ** 2 / (s * s) - 1.0) / s, s)


@stats("invgamma", "logpdf")
def invgamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    # log invgamma = -(a + 1) log z - 1 / z - gammaln(a) - log(scale): f'(z) = (1 / z - a - 1) / z
    z = (x - loc) / scale
    dz = (1.0 / z - a - 1.0) / z
    d[x] = unbroadcast(d[y] * dz / scale, x)
    d[loc] = unbroadcast(-d[y] * dz / scale, loc)
    d[scale] = unbroadcast(-d[y] * (1.0 + z * dz) / scale, scale)
    d[a] = unbroadcast(-d[y] * (np.log(z) + digamma(a)), a)


@stats("multivariate_normal", "logpdf")
def multivariate_normal_logpdf(y, x, mean=None, cov=1.0, allow_singular=False):
    # -(k log 2pi + log det S + r^T S^-1 r) / 2 per point r = x - mean (rows of x): d/dr = -S^-1 r,
    # d/dS = (S^-1 r r^T S^-1 - S^-1) / 2 summed over points (S as SciPy reads cov: covariance_matrix)
    n = mvn_dim(mean, cov)
    S = covariance_matrix(cov, n)
    r = np.reshape(x - value_or(mean, 0.0), (-1, n))
    g = np.reshape(d[y], (-1,))
    solved = np.linalg.solve(S, np.swapaxes(r, 0, 1))
    weighted = solved * g
    d[x] = np.reshape(-np.swapaxes(weighted, 0, 1), np.shape(x))
    d[mean] = np.reshape(np.sum(weighted, axis=1), np.shape(mean))
    d[cov] = covariance_back(0.5 * (weighted @ np.swapaxes(solved, 0, 1) - np.sum(g) * np.linalg.inv(S)), cov)


# ---- discrete: the derivative with respect to the continuous parameter -----------------------

@stats("poisson", "logpmf")
def poisson_logpmf(y, k, mu, loc=0):
    d[mu] = unbroadcast(d[y] * ((k - loc) / mu - 1.0), mu)


@stats("bernoulli", "logpmf")
def bernoulli_logpmf(y, k, p, loc=0):
    d[p] = unbroadcast(d[y] * ((k - loc) / p - (1.0 - (k - loc)) / (1.0 - p)), p)


@stats("binom", "logpmf")
def binom_logpmf(y, k, n, p, loc=0):
    d[p] = unbroadcast(d[y] * ((k - loc) / p - (n - (k - loc)) / (1.0 - p)), p)
