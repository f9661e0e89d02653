"""Total-variation denoising (Rudin-Osher-Fatemi) with a smoothed isotropic TV term.

Forward differences via np.diff with edge padding by np.concatenate, and an alternative written
with slicing; the objective is the data term plus lambda times TV, w.r.t. the image.
"""
import numpy as np

AUTOGRAD = True


def tv_diff(u, eps=1e-3):
    dx = np.diff(u, axis=1)
    dy = np.diff(u, axis=0)
    dx = np.concatenate([dx, np.zeros((u.shape[0], 1))], axis=1)
    dy = np.concatenate([dy, np.zeros((1, u.shape[1]))], axis=0)
    return np.sum(np.sqrt(dx ** 2 + dy ** 2 + eps))


def rof_objective(u, f, lam=0.2):
    return 0.5 * np.sum((u - f) ** 2) + lam * tv_diff(u)


def rof_objective_slices(u, f, lam=0.2, eps=1e-3):
    gx = u[:-1, 1:] - u[:-1, :-1]
    gy = u[1:, :-1] - u[:-1, :-1]
    return 0.5 * np.sum((u - f) ** 2) + lam * np.sum(np.sqrt(gx ** 2 + gy ** 2 + eps))


def anisotropic_tv(u, f, lam=0.2, eps=1e-3):
    return np.sum((u - f) ** 2) + lam * (np.sum(np.sqrt(np.diff(u, axis=0) ** 2 + eps))
                                         + np.sum(np.sqrt(np.diff(u, axis=1) ** 2 + eps)))


def cases():
    rs = np.random.RandomState(37)
    clean = np.zeros((5, 5))
    clean[1:4, 1:4] = 1.0
    f = clean + 0.2 * rs.randn(5, 5)
    u = f + 0.05 * rs.randn(5, 5)
    return [(rof_objective, (u, f), 0), (rof_objective_slices, (u, f), 0), (anisotropic_tv, (u, f), 0)]
