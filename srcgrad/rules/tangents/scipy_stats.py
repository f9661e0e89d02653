"""Tangent templates for scipy.stats, mirroring rules/scipy_stats.py (z = (x - loc) / scale)."""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.special
import scipy.stats

from srcgrad.rules.registry import template_decorator
from srcgrad.rules.tangents.helpers import broadcast_like
from srcgrad.rules.tangents.registry import TANGENTS
from srcgrad.runtime.scipy import covariance_matrix, mvn_dim, value_or

digamma = scipy.special.digamma
INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)


def stats(distribution: str, *methods: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each `scipy.stats.<distribution>.<method>`."""
    dist = getattr(scipy.stats, distribution)
    return template_decorator(TANGENTS, [(getattr(dist, m), f"scipy.stats.{distribution}.{m}") for m in methods],
                              "tangent rule")


# ---- normal ----------------------------------------------------------------------------------

@stats("norm", "logpdf")
def norm_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like((z * (d[loc] - d[x]) + (z * z - 1.0) * d[scale]) / scale, y)


@stats("norm", "pdf")
def norm_pdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like(y * (z * (d[loc] - d[x]) + (z * z - 1.0) * d[scale]) / scale, y)


@stats("norm", "cdf")
def norm_cdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like(INV_SQRT_2PI * np.exp(-0.5 * z * z) * (d[x] - d[loc] - z * d[scale]) / scale, y)


@stats("norm", "logcdf")
def norm_logcdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like(INV_SQRT_2PI * np.exp(-0.5 * z * z - y) * (d[x] - d[loc] - z * d[scale]) / scale, y)


@stats("norm", "sf")
def norm_sf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like(INV_SQRT_2PI * np.exp(-0.5 * z * z) * (d[loc] - d[x] + z * d[scale]) / scale, y)


@stats("norm", "logsf")
def norm_logsf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like(INV_SQRT_2PI * np.exp(-0.5 * z * z - y) * (d[loc] - d[x] + z * d[scale]) / scale, y)


# ---- other continuous log-densities ----------------------------------------------------------

@stats("t", "logpdf")
def t_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    w = (df + 1.0) * z / (df + z * z)
    d[y] = broadcast_like((w * (d[loc] - d[x]) + (w * z - 1.0) * d[scale]) / scale
                          + d[df] * 0.5 * (digamma(0.5 * (df + 1.0)) - digamma(0.5 * df) - 1.0 / df
                                           - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z))), y)


@stats("gamma", "logpdf")
def gamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like((((a - 1.0) / z - 1.0) * (d[x] - d[loc]) + (z - a) * d[scale]) / scale
                          + d[a] * (np.log(z) - digamma(a)), y)


@stats("beta", "logpdf")
def beta_logpdf(y, x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = (a - 1.0) / z - (b - 1.0) / (1.0 - z)
    d[y] = broadcast_like((dz * (d[x] - d[loc]) - (1.0 + z * dz) * d[scale]) / scale
                          + d[a] * (np.log(z) - digamma(a) + digamma(a + b))
                          + d[b] * (np.log1p(-z) - digamma(b) + digamma(a + b)), y)


@stats("expon", "logpdf")
def expon_logpdf(y, x, loc=0.0, scale=1.0):
    d[y] = broadcast_like((d[loc] - d[x] + ((x - loc) / scale - 1.0) * d[scale]) / scale, y)


@stats("laplace", "logpdf")
def laplace_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like((np.sign(z) * (d[loc] - d[x]) + (np.abs(z) - 1.0) * d[scale]) / scale, y)


@stats("cauchy", "logpdf")
def cauchy_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    w = 2.0 * z / (1.0 + z * z)
    d[y] = broadcast_like((w * (d[loc] - d[x]) + (w * z - 1.0) * d[scale]) / scale, y)


@stats("halfcauchy", "logpdf")
def halfcauchy_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    w = 2.0 * z / (1.0 + z * z)
    d[y] = broadcast_like((w * (d[loc] - d[x]) + (w * z - 1.0) * d[scale]) / scale, y)


@stats("halfnorm", "logpdf")
def halfnorm_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[y] = broadcast_like((z * (d[loc] - d[x]) + (z * z - 1.0) * d[scale]) / scale, y)


@stats("lognorm", "logpdf")
def lognorm_logpdf(y, x, s, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = -(1.0 + np.log(z) / (s * s)) / z
    d[y] = broadcast_like((dz * (d[x] - d[loc]) - (1.0 + z * dz) * d[scale]) / scale
                          + d[s] * (np.log(z) ** 2 / (s * s) - 1.0) / s, y)


@stats("invgamma", "logpdf")
def invgamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = (1.0 / z - a - 1.0) / z
    d[y] = broadcast_like((dz * (d[x] - d[loc]) - (1.0 + z * dz) * d[scale]) / scale
                          - d[a] * (np.log(z) + digamma(a)), y)


@stats("multivariate_normal", "logpdf")
def multivariate_normal_logpdf(y, x, mean=None, cov=1.0, allow_singular=False):
    # per point: -(dr . S^-1 r) + (r^T S^-1 dS S^-1 r - tr(S^-1 dS)) / 2, dr = dx - dmean
    n = mvn_dim(mean, cov)
    S = covariance_matrix(cov, n)
    centered = x - value_or(mean, 0.0)
    solved = np.linalg.solve(S, np.swapaxes(np.reshape(centered, (-1, n)), 0, 1))
    d[y] = np.reshape(-np.sum(np.reshape(broadcast_like(d[x] - d[mean], centered), (-1, n)) * np.swapaxes(solved, 0, 1),
                              axis=1)
                      + 0.5 * np.sum(solved * (covariance_matrix(d[cov], n) @ solved), axis=0)
                      - 0.5 * np.trace(np.linalg.solve(S, covariance_matrix(d[cov], n))), np.shape(y))


# ---- discrete: the derivative with respect to the continuous parameter -----------------------

@stats("poisson", "logpmf")
def poisson_logpmf(y, k, mu, loc=0):
    d[y] = broadcast_like(d[mu] * ((k - loc) / mu - 1.0), y)


@stats("bernoulli", "logpmf")
def bernoulli_logpmf(y, k, p, loc=0):
    d[y] = broadcast_like(d[p] * ((k - loc) / p - (1.0 - (k - loc)) / (1.0 - p)), y)


@stats("binom", "logpmf")
def binom_logpmf(y, k, n, p, loc=0):
    d[y] = broadcast_like(d[p] * ((k - loc) / p - (n - (k - loc)) / (1.0 - p)), y)
