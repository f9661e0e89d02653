"""Tangent templates for kron, tensordot, convolve and cross: bilinear, d(a * b) = da * b + a * db."""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.registry import tangent


@tangent(np.kron)
def kron(y, a, b):
    d[y] = np.kron(d[a], b) + np.kron(a, d[b])


@tangent(np.tensordot)
def tensordot(y, a, b, axes=2):
    d[y] = np.tensordot(d[a], b, axes) + np.tensordot(a, d[b], axes)


@tangent(np.convolve)
def convolve(y, a, v, mode="full"):
    d[y] = np.convolve(d[a], v, mode) + np.convolve(a, d[v], mode)


@tangent(np.cross)
def cross(y, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[y] = np.cross(d[a], b, axisa, axisb, axisc, axis) + np.cross(a, d[b], axisa, axisb, axisc, axis)
