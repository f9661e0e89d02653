"""Tangent templates for scipy.linalg, mirroring rules/scipy_linalg.py (2-D matrices).

A perturbation of `a` moves what SciPy computes only through the part of `a` it reads: the
symmetric matrix of one triangle (`unfold_triangle`) or the triangle itself.
"""
# ruff: noqa: F821
from typing import Callable

import numpy as np
import scipy.linalg

from srcgrad.rules.registry import template_decorator
from srcgrad.rules.tangents.registry import TANGENTS
from srcgrad.rules.scipy_linalg import CHO_FACTOR_KEEPS_A, LOGM_DISP, SOLVE_ASSUME_A
from srcgrad.runtime.scipy import (
    is_transposed, no_disp, phi, symmetric_assumption, transpose_if, triangle, unfold_triangle,
)

solve_triangular = scipy.linalg.solve_triangular


def linalg(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each `scipy.linalg.<name>`."""
    return template_decorator(TANGENTS, [(getattr(scipy.linalg, n), f"scipy.linalg.{n}") for n in names],
                              "tangent rule")


# ---- Cholesky: dL = L Phi(L^-1 dA L^-T) (Murray 2016, arXiv:1602.07527, sec. 2) ----------------

@linalg("cholesky")
def cholesky(y, a, lower=False, overwrite_a=False, check_finite=True):
    L = transpose_if(y, not lower)
    half = solve_triangular(L, unfold_triangle(d[a], lower), lower=True)
    d[y] = transpose_if(L @ phi(solve_triangular(L, np.swapaxes(half, -1, -2), lower=True)), not lower)


@linalg("cho_factor")
def cho_factor(y, a, lower=False, overwrite_a=False, check_finite=True):
    L = transpose_if(triangle(y[0], lower), not lower)
    half = solve_triangular(L, unfold_triangle(d[a], lower), lower=True)
    d[y] = (transpose_if(L @ phi(solve_triangular(L, np.swapaxes(half, -1, -2), lower=True)), not lower)
            + CHO_FACTOR_KEEPS_A * triangle(d[a], not lower, True), 0.0)


@linalg("cho_solve")
def cho_solve(y, c_and_lower, b, overwrite_b=False, check_finite=True):
    # dx = A^-1 (db - dA x), dA = dL L^T + L dL^T
    L = transpose_if(triangle(c_and_lower[0], c_and_lower[1]), not c_and_lower[1])
    d[y] = scipy.linalg.cho_solve(c_and_lower, d[b] - (
        transpose_if(triangle(d[c_and_lower][0], c_and_lower[1]), not c_and_lower[1]) @ (np.swapaxes(L, -1, -2) @ y)
        + L @ (np.swapaxes(transpose_if(triangle(d[c_and_lower][0], c_and_lower[1]), not c_and_lower[1]), -1, -2) @ y)))


# ---- solving: dx = op(A)^-1 (db - op(dA) x) ----------------------------------------------------

@linalg("solve_triangular")
def solve_triangular_(y, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    d[y] = solve_triangular(a, d[b] - transpose_if(triangle(d[a], lower, unit_diagonal), is_transposed(trans)) @ y,
                            trans=trans, lower=lower, unit_diagonal=unit_diagonal)


@linalg("solve")
def solve(y, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=SOLVE_ASSUME_A,
          transposed=False):
    d[y] = scipy.linalg.solve(a, d[b] - transpose_if(unfold_triangle(d[a], lower, symmetric_assumption(assume_a)),
                                                     transposed) @ y,
                              lower=lower, assume_a=assume_a, transposed=transposed)


@linalg("inv")
def inv(y, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    d[y] = -(y @ unfold_triangle(d[a], lower, symmetric_assumption(assume_a)) @ y)


@linalg("det")
def det(y, a, overwrite_a=False, check_finite=True):
    # Jacobi's formula: d det(A) = det(A) tr(A^-1 dA)
    d[y] = y * np.trace(np.linalg.solve(a, d[a]), axis1=-2, axis2=-1)


# ---- matrix functions: f([[A, dA], [0, A]]) = [[f(A), df], [0, f(A)]] (Mathias 1996) ------------

@linalg("expm")
def expm(y, A):
    block = np.concatenate([np.concatenate([A, d[A]], -1), np.concatenate([np.zeros_like(A), A], -1)], -2)
    d[y] = scipy.linalg.expm(block)[..., :np.shape(A)[-1], np.shape(A)[-1]:]


@linalg("logm")
def logm(y, A, disp=LOGM_DISP):
    no_disp(disp)
    block = np.concatenate([np.concatenate([A, d[A]], -1), np.concatenate([np.zeros_like(A), A], -1)], -2)
    d[y] = scipy.linalg.logm(block)[..., :np.shape(A)[-1], np.shape(A)[-1]:]
