"""Adjoint templates for NumPy's other products: kron, tensordot, convolve, cross.

Each is bilinear: the adjoint of one operand contracts the incoming adjoint with the other.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.registry import adjoint, nondifferentiable
from srcgrad.runtime import unbroadcast
from srcgrad.runtime.shapes import check_cross, convolve_widths, kron_layout, tensordot_layout


@adjoint(np.kron)
def kron(y, a, b):
    # kron(a, b) with interleaved axes is the outer product a[i, _, j, _] * b[_, k, _, l]
    L = kron_layout(a, b)
    g = np.reshape(d[y], L.shape)
    d[a] = np.reshape(np.sum(g * np.reshape(b, L.b), axis=L.b_axes), np.shape(a))
    d[b] = np.reshape(np.sum(g * np.reshape(a, L.a), axis=L.a_axes), np.shape(b))


@adjoint(np.tensordot)
def tensordot(y, a, b, axes=2):
    L = tensordot_layout(a, b, axes)
    d[a] = np.transpose(np.tensordot(d[y], b, (L.g_b, L.b_free)), L.a_order)
    d[b] = np.transpose(np.tensordot(a, d[y], (L.a_free, L.g_a)), L.b_order)


@adjoint(np.convolve)
def convolve(y, a, v, mode="full"):
    # the 'full' adjoint correlates with the other operand: a convolution with it reversed
    g = np.pad(d[y], convolve_widths(a, v, mode))
    d[a] = np.convolve(g, np.flip(v), "valid")
    d[v] = np.convolve(g, np.flip(a), "valid")


@adjoint(np.cross)
def cross(y, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    # g . (a x b) = a . (b x g) = b . (g x a)
    check_cross(a, b, axisa, axisb, axis)
    d[a] = unbroadcast(np.cross(b, d[y], axisb, axisc, axisa, axis), a)
    d[b] = unbroadcast(np.cross(d[y], a, axisc, axisa, axisb, axis), b)


nondifferentiable(kron_layout, tensordot_layout, convolve_widths, check_cross)
