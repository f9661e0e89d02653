"""Helpers of the SciPy rule tables (rules/scipy_*.py): the part of a matrix a LAPACK routine reads, and
where a scipy.signal convolution's result sits in the full one.

SciPy reads one triangle of a matrix it is told is symmetric (`cholesky`, `cho_factor`, `solve`
and `inv` with `assume_a="pos"`, the `eigh` inside `multivariate_normal`) and never the other, so
the derivative with respect to the unread triangle is exactly zero. `unfold_triangle` builds the
symmetric matrix SciPy works with from the triangle it reads; `fold_triangle`, its transpose, moves
a gradient taken with respect to that symmetric matrix onto the triangle.

The public functions are NumPy only (importing this module does not import SciPy). Those taking
an adjoint or tangent first are linear in it: rules/runtime.py gives each an adjoint (its
transpose) and rules/tangents/runtime.py a tangent (itself); the rest describe arguments and carry
no derivative.
"""
from typing import NamedTuple

import numpy as np

# ---- linear maps -----------------------------------------------------------------------------


def value_or(x, default):
    """`x`, or `default` when x is None (SciPy reads `b=None` in logsumexp as 1, `mean=None` as 0)."""
    return default if x is None else x


def transpose_if(g, flag):
    """`g` with its last two axes swapped when `flag` (an upper factor seen as the lower one, `trans=1`)."""
    return np.swapaxes(g, -1, -2) if flag else g


def triangle(g, lower, strict=False):
    """The lower (else upper) triangle of `g`; without the diagonal when `strict` (`unit_diagonal=True`)."""
    return np.tril(g, -1 if strict else 0) if lower else np.triu(g, 1 if strict else 0)


def _diagonal_part(g):
    return g * np.eye(np.shape(g)[-1], dtype=bool)


def phi(g):
    """Murray's Phi: the lower triangle of `g` with its diagonal halved."""
    return np.tril(g, -1) + 0.5 * _diagonal_part(g)


def fold_triangle(g, lower, symmetric=True):
    """A gradient `g` with respect to the symmetric matrix SciPy builds from one triangle, as a gradient
    with respect to that triangle: `g[i, j] + g[j, i]` below (else above) the diagonal, `g[i, i]` on it,
    zero elsewhere. `g` itself when not `symmetric` (the whole matrix was read)."""
    if not symmetric:
        return g
    return triangle(g + np.swapaxes(g, -1, -2), lower, strict=True) + _diagonal_part(g)


def unfold_triangle(h, lower, symmetric=True):
    """The symmetric matrix whose lower (else upper) triangle is that of `h` (transpose of `fold_triangle`)."""
    if not symmetric:
        return h
    return triangle(h, lower) + np.swapaxes(triangle(h, lower, strict=True), -1, -2)


def covariance_matrix(cov, n):
    """The (n, n) covariance `multivariate_normal` works with: `cov * I` for a number, `diag(cov)` for a
    vector, the symmetric matrix of the lower triangle (what its `eigh` reads) for a matrix."""
    if np.ndim(cov) == 0:
        return cov * np.eye(n)
    if np.ndim(cov) == 1:
        return np.diag(cov)
    return unfold_triangle(cov, True)


def covariance_back(g, cov):
    """Transpose of `covariance_matrix(cov, n)`: the gradient `g` of the (n, n) matrix, in `cov`'s form."""
    if np.ndim(cov) == 0:
        return np.trace(g)
    if np.ndim(cov) == 1:
        return np.diagonal(g).copy()
    return fold_triangle(g, True)


# ---- arguments (no derivative) ---------------------------------------------------------------


def _refuse(message: str, hint: str):
    from srcgrad.errors import NotDifferentiableError

    return NotDifferentiableError(message, hint=hint)


def no_sign(return_sign) -> None:
    """Refuse `logsumexp(..., return_sign=True)` (raised when the derivative is computed)."""
    if return_sign:
        raise _refuse("srcgrad has no derivative rule for scipy.special.logsumexp(..., return_sign=True)",
                      "Call it with return_sign=False (the default) on positive weights `b`, or "
                      "differentiate log(abs(sum(b * exp(a)))) written with NumPy.")


def symmetric_assumption(assume_a) -> bool:
    """Whether scipy.linalg's `assume_a` reads one triangle of a symmetric matrix (False: all of it)."""
    if assume_a in (None, "gen", "general"):
        return False
    if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite"):
        return True
    raise _refuse(f"srcgrad has no derivative rule for scipy.linalg.solve or inv with assume_a={assume_a!r}",
                  "Use assume_a=None (general), 'sym' or 'pos'.")


def adjoint_transposed(assume_a, transposed) -> bool:
    """`transposed` for the system scipy.linalg.solve's adjoint solves (a symmetric matrix is its own transpose)."""
    return not transposed and not symmetric_assumption(assume_a)


def is_transposed(trans) -> bool:
    """Whether solve_triangular's `trans` (0, 1, 2, 'N', 'T', 'C') solves with the transpose (real matrices)."""
    return trans not in (0, "N", "n")


def flipped_trans(trans) -> int:
    """The `trans` of the transposed system: what the adjoint of solve_triangular solves."""
    return 0 if is_transposed(trans) else 1


def mvn_dim(mean, cov) -> int:
    """The dimension `multivariate_normal` infers from its mean and covariance."""
    if mean is not None:
        return int(np.size(mean))
    return 1 if cov is None or np.ndim(cov) < 2 else int(np.shape(cov)[0])


def no_disp(disp) -> None:
    """Refuse `logm(A, disp=False)`, which returns (logm, error estimate)."""
    if disp is False:
        raise _refuse("srcgrad has no derivative rule for scipy.linalg.logm(A, disp=False)",
                      "Call logm(A) (it returns the logarithm only).")


# ---- scipy.signal: convolutions as crops of a full one ---------------------------------------
# convolve(in1, in2, mode) and convolve2d(in1, in2, mode, boundary, fillvalue) are a crop of the 'full'
# convolution of in1 extended by in2's size - 1 on every side (with zeros, fillvalue, its mirror image or
# its periodic copies: np.pad's 'constant', 'symmetric' and 'wrap'), and the correlations the same with
# in2 reversed. 'valid' never reads past in1's edges (SciPy swaps the operands when in2 is the larger,
# which the full convolution does not see), so its boundary is zeros.

_BOUNDARIES = {"fill": "constant", "pad": "constant", "symm": "symmetric", "symmetric": "symmetric",
               "wrap": "wrap", "circular": "wrap"}


class SignalLayout(NamedTuple):
    """Where a scipy.signal convolution's result sits in the full convolution of the extended in1."""

    crop: tuple  # np.pad widths putting the result back in place in the full convolution
    extend: tuple  # np.pad widths extending in1: in2's size - 1 on both sides of each axis
    pad_mode: str  # np.pad's mode for the extension
    kwargs: dict  # np.pad's keywords for that mode (none)
    outside: object  # 1 where the extension holds fillvalue, else 0 (the number 0 when none does)


def signal_layout(in1, in2, mode, boundary=None, correlate2d=False, axes=None) -> SignalLayout:
    """The layout of scipy.signal's convolve / correlate (N-D, `boundary` None: zeros) or convolve2d /
    correlate2d (`boundary` as they take it).

    'same' keeps in1's size, starting at (m - 1) // 2 of the full result (m: in2's size on that axis), and
    correlate2d's (unlike the N-D correlate's) at m // 2: `correlate2d` says which.
    """
    if axes is not None:
        raise _refuse(f"srcgrad differentiates scipy.signal.fftconvolve over all axes only, not axes={axes!r}",
                      "Leave axes=None, or convolve the slices along the other axes one by one.")
    if mode not in ("full", "same", "valid") or (boundary is not None and boundary not in _BOUNDARIES):
        raise _refuse(f"srcgrad has no derivative rule for a scipy.signal convolution with mode={mode!r}, "
                      f"boundary={boundary!r}",
                      "Use mode 'full', 'same' or 'valid', boundary 'fill', 'symm' or 'wrap'.")
    shape1, shape2 = np.shape(in1), np.shape(in2)
    crop = []
    for n, m in zip(shape1, shape2, strict=True):
        full = n + m - 1
        if mode == "full":
            start, size = 0, full
        elif mode == "same":
            start, size = (m // 2 if correlate2d else (m - 1) // 2), n
        else:
            start, size = min(n, m) - 1, abs(n - m) + 1
        crop.append((start, full - size - start))
    extend = tuple((m - 1, m - 1) for m in shape2)
    filled = boundary is not None and mode != "valid" and _BOUNDARIES[boundary] == "constant"
    pad_mode = _BOUNDARIES[boundary] if boundary is not None and mode != "valid" else "constant"
    outside = np.pad(np.zeros(shape1), extend, constant_values=1.0) if filled else 0.0
    return SignalLayout(tuple(crop), extend, pad_mode, {}, outside)
