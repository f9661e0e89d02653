"""Tangent templates for matrix factorizations and least squares (conventions as in
rules/numpy_linalg.py: one-triangle reads, no coupling between repeated eigen- or singular values)."""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.helpers import lstsq_tangent
from srcgrad.rules.tangents.registry import tangent
from srcgrad.runtime.factorizations import check_qr, check_svd, lower_triangle, lstsq_cutoff
from srcgrad.runtime.scipy import phi, transpose_if, unfold_triangle


@tangent(np.linalg.cholesky)
def cholesky(y, a, upper=False):
    # dL = L Phi(L^-1 dA L^-T), Phi = lower triangle with the diagonal halved
    L = transpose_if(y, upper)
    Li = np.linalg.inv(L)
    d[y] = transpose_if(L @ phi(Li @ unfold_triangle(d[a], not upper) @ np.swapaxes(Li, -1, -2)), upper)


@tangent(np.linalg.eigh)
def eigh(y, a, UPLO="L"):
    # dw = diag(V^T dA V), dV = V (F o (V^T dA V)), F_ij = 1 / (w_j - w_i)
    w, V = y[0], y[1]
    gaps = w[..., None, :] - w[..., :, None]
    F = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    M = np.swapaxes(V, -1, -2) @ unfold_triangle(d[a], lower_triangle(UPLO)) @ V
    d[y] = (np.diagonal(M, 0, -2, -1), V @ (F * M))


@tangent(np.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    V = np.linalg.eigh(a, UPLO)[1]
    d[y] = np.sum(V * (unfold_triangle(d[a], lower_triangle(UPLO)) @ V), axis=-2)


@tangent(np.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):
    # Townsend 2016: dP = U^T dA V, ds = diag(dP),
    # dU = U (F o (dP S + S dP^T)) + (I - U U^T) dA V S^-1, dV = V (F o (S dP + dP^T S)) + (I - V V^T) dA^T U S^-1
    check_svd(a, full_matrices, compute_uv, hermitian)
    usv = y if compute_uv else np.linalg.svd(a, full_matrices=False)
    U, s, Vh = usv[0], usv[1], usv[2]
    dAV = d[a] @ np.swapaxes(Vh, -1, -2)
    dP = np.swapaxes(U, -1, -2) @ dAV
    s2 = s * s
    gaps = s2[..., None, :] - s2[..., :, None]
    F = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    dPt = np.swapaxes(dP, -1, -2)
    dU = U @ (F * (dP * s[..., None, :] + s[..., :, None] * dPt)) \
        + ((dAV - U @ dP) / s[..., None, :] if np.shape(U)[-2] > np.shape(U)[-1] else 0.0)
    dV = np.swapaxes(Vh, -1, -2) @ (F * (s[..., :, None] * dP + dPt * s[..., None, :])) \
        + ((np.swapaxes(d[a], -1, -2) @ U - np.swapaxes(Vh, -1, -2) @ dPt) / s[..., None, :]
           if np.shape(Vh)[-1] > np.shape(Vh)[-2] else 0.0)
    ds = np.diagonal(dP, 0, -2, -1)
    d[y] = (dU, ds, np.swapaxes(dV, -1, -2)) if compute_uv else ds


@tangent(np.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False, rtol=None):
    # Golub & Pereyra 1973: dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P
    dA = unfold_triangle(d[a], True, hermitian)
    dAt = np.swapaxes(dA, -1, -2)
    Pt = np.swapaxes(y, -1, -2)
    d[y] = -y @ dA @ y + y @ Pt @ dAt @ (np.eye(np.shape(a)[-2]) - a @ y) \
        + (np.eye(np.shape(a)[-1]) - y @ a) @ dAt @ Pt @ y


@tangent(np.linalg.qr)
def qr(y, a, mode="reduced"):
    # on the square part X = A[:, :k] (k = min(m, n)): C = Q^T dX U^-1, Omega = tril(C, -1) - tril(C, -1)^T,
    # dU = (C - Omega) U, dQ = dX U^-1 - Q (C - Omega); the rest of R is Q^T A[:, k:]
    k = check_qr(a, mode)
    QR = np.linalg.qr(a) if mode == "r" else y
    Q, R = QR[0], QR[1]
    Ui = np.linalg.inv(R[..., :, :k])
    dXUi = d[a][..., :, :k] @ Ui
    C = np.swapaxes(Q, -1, -2) @ dXUi
    low = np.tril(C, -1)
    upper = C - low + np.swapaxes(low, -1, -2)
    dQ = dXUi - Q @ upper
    dR = np.concatenate([upper @ R[..., :, :k], np.swapaxes(dQ, -1, -2) @ a[..., :, k:]
                         + np.swapaxes(Q, -1, -2) @ d[a][..., :, k:]], axis=-1)
    d[y] = dR if mode == "r" else (dQ, dR)


@tangent(np.linalg.lstsq)
def lstsq(y, a, b, rcond=None):
    d[y] = lstsq_tangent(d[a], d[b], a, b, y, lstsq_cutoff(a, rcond))
