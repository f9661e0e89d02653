"""Checks for the matrix factorization rules (rules/numpy_linalg.py): they refuse the forms whose
derivative is not defined, and carry no derivative themselves. (The one-triangle reads use
`fold_triangle` / `unfold_triangle` of runtime/scipy.py, shared with SciPy's tables.)
"""
import numpy as np

from srcgrad.errors import NotDifferentiableError


def check_svd(a, full_matrices, compute_uv, hermitian) -> None:
    if hermitian:
        raise NotDifferentiableError(
            "srcgrad does not differentiate np.linalg.svd(..., hermitian=True)",
            hint="Call it without hermitian=True (the factors may differ in sign), or use np.linalg.eigh.")
    m, n = np.shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotDifferentiableError(
            "srcgrad differentiates np.linalg.svd(..., full_matrices=True) of square matrices only: the extra "
            "singular vectors of a rectangular matrix are not unique",
            hint="Pass full_matrices=False.")


def check_qr(a, mode) -> int:
    """min(m, n): the columns of `a` that the triangular factor's square part covers."""
    m, n = np.shape(a)[-2:]
    if mode not in ("reduced", "complete", "r") or (mode == "complete" and m > n):
        raise NotDifferentiableError(
            f"srcgrad differentiates np.linalg.qr in the modes 'reduced', 'r' and (for m <= n) 'complete', "
            f"not mode={mode!r} for a {m}x{n} matrix",
            hint="Use mode='reduced': the extra columns of a complete Q are not unique.")
    return min(m, n)


def lstsq_cutoff(a, rcond):
    """np.linalg.lstsq's cut-off for small singular values, as np.linalg.pinv's `rcond`."""
    eps = np.finfo(np.float64).eps  # lstsq computes in double precision
    if rcond is None or isinstance(rcond, str):
        return eps * max(np.shape(a)[-2:])
    return eps if rcond < 0 else rcond


def lower_triangle(UPLO) -> bool:
    """Whether np.linalg.eigh / eigvalsh read the lower triangle ('L', the default) or the upper one ('U')."""
    return str(UPLO).upper() != "U"
