"""Adjoint templates for matrix factorizations and least squares: cholesky, eigh, eigvalsh, svd,
pinv, qr, lstsq. Each is written with NumPy operations that have rules, so generated code that
calls them can be differentiated again.

Functions that read one triangle of their input (cholesky, eigh, eigvalsh, pinv(hermitian=True))
get the adjoint of that triangle (`fold_triangle`); for a symmetric input built as A + A.T or
B @ B.T the result is the same as the usual symmetric convention.

Eigen- and singular vectors are defined up to sign (and, for repeated values, up to a rotation):
gradients are meaningful for functions that do not depend on that choice.

Limitation, repeated eigenvalues (or singular values): the coupling 1 / (w_j - w_i) between two
equal values is taken as 0 instead of dividing by zero. The gradient is then exact for functions
of the eigenvalues that are symmetric within each group of equal ones (sums, norms, log det) and
for functions of the eigenvectors through projectors onto whole eigenspaces; for others the
derivative at a repeated value is not defined, or not computed (A = V diag(w) V^T itself, read
through both factors, loses the coupling within the group). Near-repeated values give large,
ill-conditioned gradients, as the derivative itself is.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.registry import adjoint, nondifferentiable
from srcgrad.runtime import item_adjoint
from srcgrad.runtime.factorizations import check_qr, check_svd, lstsq_cutoff, lower_triangle
from srcgrad.runtime.scipy import fold_triangle, phi, transpose_if, unfold_triangle


@adjoint(np.linalg.cholesky)
def cholesky(y, a, upper=False):
    # Murray 2016: with A = L L^T, A_bar = L^-T Phi(L^T L_bar) L^-1, Phi = lower triangle, diagonal halved
    L = transpose_if(y, upper)
    Li = np.linalg.inv(L)
    d[a] = fold_triangle(np.swapaxes(Li, -1, -2) @ phi(np.swapaxes(L, -1, -2) @ transpose_if(d[y], upper)) @ Li,
                         not upper)


@adjoint(np.linalg.eigh)
def eigh(y, a, UPLO="L"):
    # Giles 2008, 3.1: A_bar = V (diag(w_bar) + F o (V^T V_bar)) V^T, F_ij = 1 / (w_j - w_i) off the diagonal
    w, V = y[0], y[1]
    gaps = w[..., None, :] - w[..., :, None]
    F = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    inner = item_adjoint(d[y], 0, w)[..., :, None] * np.eye(np.shape(a)[-1]) \
        + F * (np.swapaxes(V, -1, -2) @ item_adjoint(d[y], 1, V))
    d[a] = fold_triangle(V @ inner @ np.swapaxes(V, -1, -2), lower_triangle(UPLO))


@adjoint(np.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    V = np.linalg.eigh(a, UPLO)[1]
    d[a] = fold_triangle((V * d[y][..., None, :]) @ np.swapaxes(V, -1, -2), lower_triangle(UPLO))


@adjoint(np.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):
    # Townsend 2016: with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal,
    # A_bar = U [(F o (U^T U_bar - U_bar^T U)) S + diag(s_bar) + S (F o (V^T V_bar - V_bar^T V))] V^T
    #         + (I - U U^T) U_bar S^-1 V^T + U S^-1 V_bar^T (I - V V^T)
    check_svd(a, full_matrices, compute_uv, hermitian)
    usv = y if compute_uv else np.linalg.svd(a, full_matrices=False)
    U, s, Vh = usv[0], usv[1], usv[2]
    gU = item_adjoint(d[y], 0, U) if compute_uv else np.zeros_like(U)
    gs = item_adjoint(d[y], 1, s) if compute_uv else d[y]
    gVh = item_adjoint(d[y], 2, Vh) if compute_uv else np.zeros_like(Vh)
    s2 = s * s
    gaps = s2[..., None, :] - s2[..., :, None]
    F = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    UtgU = np.swapaxes(U, -1, -2) @ gU
    VtgV = Vh @ np.swapaxes(gVh, -1, -2)
    core = (F * (UtgU - np.swapaxes(UtgU, -1, -2))) * s[..., None, :] + gs[..., :, None] * np.eye(np.shape(s)[-1]) \
        + s[..., :, None] * (F * (VtgV - np.swapaxes(VtgV, -1, -2)))
    tall, wide = np.shape(U)[-2] > np.shape(U)[-1], np.shape(Vh)[-1] > np.shape(Vh)[-2]
    left = ((gU - U @ UtgU) / s[..., None, :]) @ Vh if tall else 0.0
    right = U @ ((gVh - np.swapaxes(VtgV, -1, -2) @ Vh) / s[..., :, None]) if wide else 0.0
    d[a] = U @ core @ Vh + left + right


@adjoint(np.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False, rtol=None):
    # Golub & Pereyra 1973, constant rank: dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P
    Pt = np.swapaxes(y, -1, -2)
    gt = np.swapaxes(d[y], -1, -2)
    grad = -Pt @ d[y] @ Pt + (np.eye(np.shape(a)[-2]) - a @ y) @ gt @ y @ Pt \
        + Pt @ y @ gt @ (np.eye(np.shape(a)[-1]) - y @ a)
    d[a] = fold_triangle(grad, True, hermitian)


@adjoint(np.linalg.qr)
def qr(y, a, mode="reduced"):
    # Walter & Lehmann 2018 (square and tall): with M = R R_bar^T - Q_bar^T Q,
    # A_bar = (Q_bar + Q copyltu(M)) R^-T; a wide A = [X | Y] has R = [U | Q^T Y] (Liao et al. 2019):
    # X is differentiated with Q_bar + Y V_bar^T, and Y_bar = Q V_bar
    k = check_qr(a, mode)
    QR = np.linalg.qr(a) if mode == "r" else y
    Q, R = QR[0], QR[1]
    gR = d[y] if mode == "r" else item_adjoint(d[y], 1, R)
    gQ = (np.zeros_like(Q) if mode == "r" else item_adjoint(d[y], 0, Q)) \
        + a[..., :, k:] @ np.swapaxes(gR[..., :, k:], -1, -2)
    M = R[..., :, :k] @ np.swapaxes(gR[..., :, :k], -1, -2) - np.swapaxes(gQ, -1, -2) @ Q
    gX = (gQ + Q @ unfold_triangle(M, True)) @ np.swapaxes(np.linalg.inv(R[..., :, :k]), -1, -2)
    d[a] = np.concatenate([gX, Q @ gR[..., :, k:]], axis=-1)


@adjoint(np.linalg.lstsq)
def lstsq(y, a, b, rcond=None):
    # x = pinv(a) b: the pinv adjoint with P_bar = x_bar b^T, and b_bar = P^T x_bar; the residuals
    # |b - a x|^2 are stationary in x, so they add -2 r x^T and 2 r; s adds U diag(s_bar) V^T
    P = np.linalg.pinv(a, rcond=lstsq_cutoff(a, rcond))
    Pt = np.swapaxes(P, -1, -2)
    b2 = np.reshape(b, (np.shape(a)[0], -1))
    x2 = np.reshape(y[0], (np.shape(a)[1], -1))
    gx = np.reshape(item_adjoint(d[y], 0, y[0]), (np.shape(a)[1], -1))
    gPt = b2 @ np.swapaxes(gx, -1, -2)
    r = 2.0 * (b2 - a @ x2) * item_adjoint(d[y], 1, y[1]) if np.size(y[1]) else np.zeros_like(b2)
    usv = np.linalg.svd(a, full_matrices=False)
    d[a] = -Pt @ gx @ b2.T @ Pt + (np.eye(np.shape(a)[0]) - a @ P) @ gPt @ P @ Pt \
        + Pt @ P @ gPt @ (np.eye(np.shape(a)[1]) - P @ a) - r @ x2.T \
        + (usv[0] * item_adjoint(d[y], 3, y[3])) @ usv[2]
    d[b] = np.reshape(Pt @ gx + r, np.shape(b))


nondifferentiable(check_svd, check_qr, lstsq_cutoff, lower_triangle)
