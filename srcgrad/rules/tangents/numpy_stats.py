"""Tangent templates for weighted means, cumulative products, sorting, quantiles, interpolation and
nan_to_num, matching the adjoints' conventions (ties share evenly)."""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.registry import tangent
from srcgrad.runtime import unreduce
from srcgrad.runtime.order import interp_segment, quantile_weights, sort_forth
from srcgrad.runtime.scans import cumprod_jvp
from srcgrad.runtime.shapes import aligned_weights


@tangent(np.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    w = aligned_weights(weights, a, axis, returned)
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis, keepdims=keepdims)
    d[y] = (np.sum(w * d[a], axis, keepdims=keepdims)
            + np.sum(aligned_weights(d[weights], a, axis, returned) * (a - unreduce(y, a, axis, keepdims)), axis,
                     keepdims=keepdims)) / total


@tangent(np.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    d[y] = cumprod_jvp(d[a], a, y, axis)


@tangent(np.sort)
def sort(y, a, axis=-1, kind=None, order=None, stable=None):
    d[y] = sort_forth(d[a], a, y, axis)


@tangent(np.quantile)
def quantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
             weights=None, interpolation=None):
    P = quantile_weights(a, q, axis, method, 1.0, weights, interpolation)
    W = P.low + (np.reshape(q, P.q_shape) * P.slope + P.offset) * P.step
    d[y] = np.reshape(np.sum(W * d[a], axis=P.reduced, keepdims=True)
                      + np.reshape(d[q], P.q_shape) * np.sum(P.step * a, axis=P.reduced, keepdims=True) * P.slope,
                      np.shape(y))


@tangent(np.percentile)
def percentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
               weights=None, interpolation=None):
    P = quantile_weights(a, q, axis, method, 0.01, weights, interpolation)
    W = P.low + (np.reshape(q, P.q_shape) * P.slope + P.offset) * P.step
    d[y] = np.reshape(np.sum(W * d[a], axis=P.reduced, keepdims=True)
                      + np.reshape(d[q], P.q_shape) * np.sum(P.step * a, axis=P.reduced, keepdims=True) * P.slope,
                      np.shape(y))


@tangent(np.median)
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    P = quantile_weights(a, 0.5, axis, "linear", 1.0)
    d[y] = np.reshape(np.sum((P.low + (0.5 * P.slope + P.offset) * P.step) * d[a], axis=P.reduced, keepdims=True),
                      np.shape(y))


@tangent(np.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    S = interp_segment(x, xp, left, right, period)
    x0 = np.take(xp, S.index)
    span = np.take(xp, S.index + 1) - x0
    t = (x - x0) / span
    slope = (np.take(fp, S.index + 1) - np.take(fp, S.index)) / span
    d[y] = S.inside * (d[x] * slope + (1.0 - t) * np.take(d[fp], S.index) + t * np.take(d[fp], S.index + 1)
                       - slope * ((1.0 - t) * np.take(d[xp], S.index) + t * np.take(d[xp], S.index + 1))) \
        + S.below * d[left] + S.above * d[right] + S.first * np.take(d[fp], 0) + S.last * np.take(d[fp], -1)


@tangent(np.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[y] = d[x] * np.isfinite(x) + d[nan] * np.isnan(x) + d[posinf] * np.isposinf(x) + d[neginf] * np.isneginf(x)
