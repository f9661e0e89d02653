"""A tiny "stable fluids" density solver (Jos Stam, 2003), written with in-place grid updates.

diffuse() runs Gauss-Seidel sweeps that update x[i, j] in place inside double loops, set_bnd
copies edges for the boundary, advect() is a semi-Lagrangian step with bilinear interpolation
and integer cell indices; the loss matches the final density to a target, w.r.t. the initial density.
"""
import numpy as np

AUTOGRAD = False  # element writes x[i, j] = ... on traced arrays


def set_bnd(x):
    N = x.shape[0] - 2
    for i in range(1, N + 1):
        x[0, i] = x[1, i]
        x[N + 1, i] = x[N, i]
        x[i, 0] = x[i, 1]
        x[i, N + 1] = x[i, N]
    x[0, 0] = 0.5 * (x[1, 0] + x[0, 1])
    x[0, N + 1] = 0.5 * (x[1, N + 1] + x[0, N])
    x[N + 1, 0] = 0.5 * (x[N, 0] + x[N + 1, 1])
    x[N + 1, N + 1] = 0.5 * (x[N, N + 1] + x[N + 1, N])


def diffuse(x, x0, diff, dt, iters=4):
    N = x.shape[0] - 2
    a = dt * diff * N * N
    for _ in range(iters):
        for i in range(1, N + 1):
            for j in range(1, N + 1):
                x[i, j] = (x0[i, j] + a * (x[i - 1, j] + x[i + 1, j] + x[i, j - 1] + x[i, j + 1])) / (1 + 4 * a)
        set_bnd(x)


def advect(d, d0, u, v, dt):
    N = d.shape[0] - 2
    dt0 = dt * N
    for i in range(1, N + 1):
        for j in range(1, N + 1):
            x = min(max(i - dt0 * u[i, j], 0.5), N + 0.5)
            y = min(max(j - dt0 * v[i, j], 0.5), N + 0.5)
            i0, j0 = int(x), int(y)
            s1, t1 = x - i0, y - j0
            s0, t0 = 1 - s1, 1 - t1
            d[i, j] = s0 * (t0 * d0[i0, j0] + t1 * d0[i0, j0 + 1]) + s1 * (t0 * d0[i0 + 1, j0] + t1 * d0[i0 + 1, j0 + 1])
    set_bnd(d)


def density_step(dens, u, v, diff, dt):
    tmp = np.zeros_like(dens)
    diffuse(tmp, dens, diff, dt)
    out = np.zeros_like(dens)
    advect(out, tmp, u, v, dt)
    return out


def fluid_loss(dens0, u, v, target):
    d = dens0
    for _ in range(2):
        d = density_step(d, u, v, 0.05, 0.1)
    return np.sum((d - target) ** 2)


def cases():
    rs = np.random.RandomState(30)
    N = 4
    dens0 = rs.rand(N + 2, N + 2)
    u, v = 0.3 * rs.randn(N + 2, N + 2), 0.3 * rs.randn(N + 2, N + 2)
    return [(fluid_loss, (dens0, u, v, rs.rand(N + 2, N + 2)), 0)]
