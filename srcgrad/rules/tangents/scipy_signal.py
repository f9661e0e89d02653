"""Tangent templates for scipy.signal's convolutions, mirroring rules/scipy_signal.py: bilinear in the two
operands, d(in1 * in2) = d(in1) * in2 + in1 * d(in2), with the zeros past in1's edges (boundary 'fill') not
varying; convolve2d's fillvalue adds its tangent times what a unit fill puts into the result."""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.signal

from srcgrad.rules.registry import template_decorator
from srcgrad.rules.tangents.registry import TANGENTS

convolve, correlate, fftconvolve = scipy.signal.convolve, scipy.signal.correlate, scipy.signal.fftconvolve
convolve2d, correlate2d = scipy.signal.convolve2d, scipy.signal.correlate2d


def signal(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each `scipy.signal.<name>`."""
    return template_decorator(TANGENTS, [(getattr(scipy.signal, n), f"scipy.signal.{n}") for n in names],
                              "tangent rule")


@signal("convolve")
def convolve_(y, in1, in2, mode="full", method="auto"):
    d[y] = convolve(d[in1], in2, mode, method) + convolve(in1, d[in2], mode, method)


@signal("fftconvolve")
def fftconvolve_(y, in1, in2, mode="full", axes=None):
    d[y] = fftconvolve(d[in1], in2, mode, axes) + fftconvolve(in1, d[in2], mode, axes)


@signal("correlate")
def correlate_(y, in1, in2, mode="full", method="auto"):
    d[y] = correlate(d[in1], in2, mode, method) + correlate(in1, d[in2], mode, method)


@signal("convolve2d")
def convolve2d_(y, in1, in2, mode="full", boundary="fill", fillvalue=0):
    d[y] = (convolve2d(d[in1], in2, mode, boundary) + convolve2d(in1, d[in2], mode, boundary, fillvalue)
            + d[fillvalue] * convolve2d(np.zeros(np.shape(in1)), in2, mode, boundary, 1.0))


@signal("correlate2d")
def correlate2d_(y, in1, in2, mode="full", boundary="fill", fillvalue=0):
    d[y] = (correlate2d(d[in1], in2, mode, boundary) + correlate2d(in1, d[in2], mode, boundary, fillvalue)
            + d[fillvalue] * correlate2d(np.zeros(np.shape(in1)), in2, mode, boundary, 1.0))
