"""Adjoint templates for scipy.linalg, for 2-D matrices: primal result first, then its arguments by name.

Imported by the first rule lookup after the program imports scipy.linalg (`registry.OPTIONAL`).
Where SciPy reads only one triangle of a matrix (`cholesky`, `cho_factor`, `solve_triangular`,
`solve` and `inv` with `assume_a="pos"`), the adjoint is zero on the other: the gradient is the
derivative of what SciPy computes, and finite differences of any single entry agree with it. For
a symmetric matrix built from parameters (a kernel matrix), the chain rule through both triangles
gives the same total as the symmetric gradient. Templates call functions that have rules
themselves, so gradients can be differentiated again.
"""
# ruff: noqa: F821
import inspect
from typing import Callable

import numpy as np
import scipy.linalg

from srcgrad.rules.registry import ADJOINTS, template_decorator
from srcgrad.runtime.scipy import (
    adjoint_transposed, flipped_trans, fold_triangle, is_transposed, no_disp, phi, symmetric_assumption, transpose_if,
    triangle,
)
from srcgrad.runtime.structure import index_grad, item_adjoint

solve_triangular = scipy.linalg.solve_triangular
SOLVE_ASSUME_A = inspect.signature(scipy.linalg.solve).parameters["assume_a"].default  # None, or "gen" before 1.15
# cho_factor's c holds a's own entries outside the factor's triangle before SciPy 1.18, zeros from 1.18
CHO_FACTOR_KEEPS_A = float(scipy.linalg.cho_factor(np.array([[2.0, 1.0], [1.0, 2.0]]))[0][1, 0] == 1.0)
LOGM_DISP = getattr(inspect.signature(scipy.linalg.logm).parameters.get("disp"), "default", True)  # gone in 1.18


def linalg(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint of each `scipy.linalg.<name>`."""
    return template_decorator(ADJOINTS, [(getattr(scipy.linalg, n), f"scipy.linalg.{n}") for n in names])


# ---- Cholesky --------------------------------------------------------------------------------
# Murray (2016), "Differentiation of the Cholesky decomposition", arXiv:1602.07527, sec. 3: for
# A = L L^T, A_bar = L^-T Phi(L^T L_bar) L^-1 with Phi the lower triangle, diagonal halved, and L_bar
# lower triangular (the upper part of L is no function of A). Two triangular solves give it; an
# upper factor U = L^T is transposed first, and `fold_triangle` puts A_bar on the triangle SciPy read.

@linalg("cholesky")
def cholesky(y, a, lower=False, overwrite_a=False, check_finite=True):
    L = transpose_if(y, not lower)
    P = phi(np.swapaxes(L, -1, -2) @ triangle(transpose_if(d[y], not lower), True))
    half = solve_triangular(L, P, trans=1, lower=True)
    d[a] = fold_triangle(np.swapaxes(solve_triangular(L, np.swapaxes(half, -1, -2), trans=1, lower=True), -1, -2),
                         lower)


@linalg("cho_factor")
def cho_factor(y, a, lower=False, overwrite_a=False, check_finite=True):
    # c = y[0] holds the factor in one triangle and (CHO_FACTOR_KEEPS_A) a's own entries in the other
    c_bar = item_adjoint(d[y], 0, y[0])
    L = transpose_if(triangle(y[0], lower), not lower)
    P = phi(np.swapaxes(L, -1, -2) @ transpose_if(triangle(c_bar, lower), not lower))
    half = solve_triangular(L, P, trans=1, lower=True)
    d[a] = fold_triangle(np.swapaxes(solve_triangular(L, np.swapaxes(half, -1, -2), trans=1, lower=True), -1, -2),
                         lower) + CHO_FACTOR_KEEPS_A * triangle(c_bar, not lower, True)


@linalg("cho_solve")
def cho_solve(y, c_and_lower, b, overwrite_b=False, check_finite=True):
    # x = A^-1 b, A = L L^T: b_bar = A^-1 x_bar, A_bar = -b_bar x^T, L_bar = (A_bar + A_bar^T) L
    gb = scipy.linalg.cho_solve(c_and_lower, d[y])
    G = np.reshape(gb, (np.shape(b)[0], -1)) @ np.swapaxes(np.reshape(y, (np.shape(b)[0], -1)), 0, 1)
    L = transpose_if(triangle(c_and_lower[0], c_and_lower[1]), not c_and_lower[1])
    d[b] = gb
    d[c_and_lower] = index_grad(c_and_lower, 0, -triangle(transpose_if((G + np.swapaxes(G, 0, 1)) @ L,
                                                                       not c_and_lower[1]), c_and_lower[1]))


# ---- solving ---------------------------------------------------------------------------------

@linalg("solve_triangular")
def solve_triangular_(y, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    # x = op(T)^-1 b: b_bar = op(T)^-T x_bar and op(T)_bar = -b_bar x^T, on the triangle of a that T is
    gb = solve_triangular(a, d[y], trans=flipped_trans(trans), lower=lower, unit_diagonal=unit_diagonal)
    G = np.reshape(gb, (np.shape(b)[0], -1)) @ np.swapaxes(np.reshape(y, (np.shape(b)[0], -1)), 0, 1)
    d[b] = gb
    d[a] = -triangle(transpose_if(G, is_transposed(trans)), lower, unit_diagonal)


@linalg("solve")
def solve(y, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=SOLVE_ASSUME_A,
          transposed=False):
    # x = A^-1 b (A^-T b when transposed): b_bar = A^-T x_bar, A_bar = -b_bar x^T (transposed: -x b_bar^T)
    gb = scipy.linalg.solve(a, d[y], lower=lower, assume_a=assume_a,
                            transposed=adjoint_transposed(assume_a, transposed))
    G = np.reshape(gb, (np.shape(b)[0], -1)) @ np.swapaxes(np.reshape(y, (np.shape(b)[0], -1)), 0, 1)
    d[b] = gb
    d[a] = -fold_triangle(transpose_if(G, transposed), lower, symmetric_assumption(assume_a))


@linalg("inv")
def inv(y, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    d[a] = -fold_triangle(np.swapaxes(y, -1, -2) @ d[y] @ np.swapaxes(y, -1, -2), lower, symmetric_assumption(assume_a))


@linalg("det")
def det(y, a, overwrite_a=False, check_finite=True):
    # Jacobi's formula: d det(A) = det(A) tr(A^-1 dA)
    d[a] = np.expand_dims(d[y] * y, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


# ---- matrix functions ------------------------------------------------------------------------
# f([[X, E], [0, X]]) = [[f(X), L(X, E)], [0, f(X)]] with L(X, E) the Frechet derivative of f at X in
# the direction E (Mathias 1996), and the adjoint of E -> L(A, E) is G -> L(A^T, G) (Higham,
# "Functions of Matrices", 2008, sec. 3.1 and 3.2).

@linalg("expm")
def expm(y, A):
    At = np.swapaxes(A, -1, -2)
    block = np.concatenate([np.concatenate([At, d[y]], -1), np.concatenate([np.zeros_like(At), At], -1)], -2)
    d[A] = scipy.linalg.expm(block)[..., :np.shape(A)[-1], np.shape(A)[-1]:]


@linalg("logm")
def logm(y, A, disp=LOGM_DISP):
    no_disp(disp)
    At = np.swapaxes(A, -1, -2)
    block = np.concatenate([np.concatenate([At, d[y]], -1), np.concatenate([np.zeros_like(At), At], -1)], -2)
    d[A] = scipy.linalg.logm(block)[..., :np.shape(A)[-1], np.shape(A)[-1]:]
