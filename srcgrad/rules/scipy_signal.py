"""Adjoint templates for scipy.signal's convolutions: convolve, correlate, fftconvolve (N-D, zeros past the
edges) and convolve2d, correlate2d (every `boundary`: fill with `fillvalue`, symm, wrap).

Imported by the first rule lookup after the program imports scipy.signal (`registry.OPTIONAL`). Each
result is a crop of the full convolution of in1 extended by in2's size - 1 on every side (runtime/scipy.py,
`signal_layout`), so the adjoint `g` of the crop is padded back with zeros to the full size first. For
y = full(P, k) = sum_j k[j] P[i - j] over the extension P of in1: dP = the 'full' correlation of g with k,
in1 collects what its copies in P got (np.pad's adjoint), and dk = the reversed 'valid' correlation of P
with g. A correlation is the convolution with in2 reversed. Templates call functions that have rules
themselves (np.pad, these convolutions), so gradients can be differentiated again.
"""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.signal

from srcgrad.rules.registry import ADJOINTS, template_decorator
from srcgrad.runtime.scipy import signal_layout
from srcgrad.runtime.shapes import pad_adjoint

convolve, correlate = scipy.signal.convolve, scipy.signal.correlate
convolve2d, correlate2d = scipy.signal.convolve2d, scipy.signal.correlate2d


def signal(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint of each `scipy.signal.<name>`."""
    return template_decorator(ADJOINTS, [(getattr(scipy.signal, n), f"scipy.signal.{n}") for n in names])


# ---- N-D, zeros past the edges -------------------------------------------------------------------

@signal("convolve")
def convolve_(y, in1, in2, mode="full", method="auto"):
    g = np.pad(d[y], signal_layout(in1, in2, mode).crop)
    d[in1] = correlate(g, in2, "valid")
    d[in2] = correlate(g, in1, "valid")


@signal("fftconvolve")
def fftconvolve(y, in1, in2, mode="full", axes=None):
    g = np.pad(d[y], signal_layout(in1, in2, mode, axes=axes).crop)
    d[in1] = correlate(g, in2, "valid")
    d[in2] = correlate(g, in1, "valid")


@signal("correlate")
def correlate_(y, in1, in2, mode="full", method="auto"):
    # the convolution with in2 reversed
    g = np.pad(d[y], signal_layout(in1, in2, mode).crop)
    d[in1] = convolve(g, in2, "valid")
    d[in2] = np.flip(correlate(g, in1, "valid"))


# ---- 2-D, with a boundary --------------------------------------------------------------------------

@signal("convolve2d")
def convolve2d_(y, in1, in2, mode="full", boundary="fill", fillvalue=0):
    L = signal_layout(in1, in2, mode, boundary)
    g = np.pad(d[y], L.crop)
    e = correlate2d(g, in2, "full")  # the adjoint of the extended in1
    d[in1] = pad_adjoint(e, in1, L.extend, L.pad_mode, L.kwargs)
    d[fillvalue] = np.sum(e * L.outside)
    d[in2] = np.flip(correlate2d(np.pad(in1, L.extend, L.pad_mode) + fillvalue * L.outside, g, "valid"))


@signal("correlate2d")
def correlate2d_(y, in1, in2, mode="full", boundary="fill", fillvalue=0):
    L = signal_layout(in1, in2, mode, boundary, True)
    g = np.pad(d[y], L.crop)
    e = convolve2d(g, in2, "full")
    d[in1] = pad_adjoint(e, in1, L.extend, L.pad_mode, L.kwargs)
    d[fillvalue] = np.sum(e * L.outside)
    d[in2] = correlate2d(np.pad(in1, L.extend, L.pad_mode) + fillvalue * L.outside, g, "valid")
