"""Adjoint templates for weighted means, cumulative products, sorting, quantiles, interpolation
and nan_to_num. Elements that tie in a sort or a quantile share their adjoint evenly (as in max).
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.registry import adjoint, method_alias, nondifferentiable
from srcgrad.runtime import unbroadcast, unreduce
from srcgrad.runtime.arrays import untake
from srcgrad.runtime.order import interp_segment, quantile_weights, sort_adjoint
from srcgrad.runtime.scans import cumprod_adjoint
from srcgrad.runtime.shapes import aligned_weights

# ---- weighted mean ---------------------------------------------------------------------------


@adjoint(np.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    # y = sum(w a) / sum(w): dy/da = w / sum(w), dy/dw = (a - y) / sum(w)
    w = aligned_weights(weights, a, axis, returned)
    share = unreduce(d[y], a, axis, keepdims) / np.sum(np.broadcast_to(w, np.shape(a)), axis, keepdims=True)
    d[a] = share * w
    d[weights] = np.reshape(unbroadcast(share * (a - unreduce(y, a, axis, keepdims)), w), np.shape(weights))


# ---- cumulative product ----------------------------------------------------------------------


@adjoint(np.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    d[a] = cumprod_adjoint(d[y], a, y, axis)


# ---- sorting and quantiles -------------------------------------------------------------------


@adjoint(np.sort)
def sort(y, a, axis=-1, kind=None, order=None, stable=None):
    d[a] = sort_adjoint(d[y], a, y, axis)


@adjoint(np.quantile)
def quantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
             weights=None, interpolation=None):
    # y = sum(W a) with W = low + f step and f = q slope + offset (runtime/order.py)
    P = quantile_weights(a, q, axis, method, 1.0, weights, interpolation)
    g = np.reshape(d[y], P.g_shape)
    d[a] = np.sum(g * (P.low + (np.reshape(q, P.q_shape) * P.slope + P.offset) * P.step), axis=P.q_axes)
    d[q] = np.reshape(np.sum(g * P.step * a, axis=P.a_axes), np.shape(q)) * P.slope


@adjoint(np.percentile)
def percentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
               weights=None, interpolation=None):
    P = quantile_weights(a, q, axis, method, 0.01, weights, interpolation)
    g = np.reshape(d[y], P.g_shape)
    d[a] = np.sum(g * (P.low + (np.reshape(q, P.q_shape) * P.slope + P.offset) * P.step), axis=P.q_axes)
    d[q] = np.reshape(np.sum(g * P.step * a, axis=P.a_axes), np.shape(q)) * P.slope


@adjoint(np.median)
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    P = quantile_weights(a, 0.5, axis, "linear", 1.0)
    d[a] = (P.low + (0.5 * P.slope + P.offset) * P.step) * np.reshape(d[y], P.g_shape)


# ---- interpolation ---------------------------------------------------------------------------


@adjoint(np.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    # on [xp_j, xp_j+1]: y = fp_j + slope (x - xp_j), slope = (fp_j+1 - fp_j) / (xp_j+1 - xp_j)
    S = interp_segment(x, xp, left, right, period)
    x0 = np.take(xp, S.index)
    span = np.take(xp, S.index + 1) - x0
    t = (x - x0) / span
    slope = (np.take(fp, S.index + 1) - np.take(fp, S.index)) / span
    g = d[y] * S.inside
    d[x] = g * slope
    d[fp] = untake(g * (1.0 - t), fp, S.index, None) + untake(g * t, fp, S.index + 1, None) \
        + untake(np.sum(d[y] * S.first), fp, 0, None) + untake(np.sum(d[y] * S.last), fp, -1, None)
    d[xp] = untake(-g * slope * (1.0 - t), xp, S.index, None) + untake(-g * slope * t, xp, S.index + 1, None)
    d[left] = np.sum(d[y] * S.below)
    d[right] = np.sum(d[y] * S.above)


# ---- cleaning --------------------------------------------------------------------------------


@adjoint(np.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[x] = d[y] * np.isfinite(x)
    d[nan] = np.sum(d[y] * np.isnan(x))
    d[posinf] = np.sum(d[y] * np.isposinf(x))
    d[neginf] = np.sum(d[y] * np.isneginf(x))


nondifferentiable(quantile_weights, interp_segment, np.isposinf, np.isneginf)
method_alias(cumprod=np.cumprod)
