"""Explicit finite-difference heat equation on a 2-D grid; inverse problems over the simulation.

The Laplacian uses np.roll (periodic) in one solver and interior slices with fixed zero boundary in
another (writing u[1:-1, 1:-1] each step); the losses recover an initial condition or diffusivity.
"""
import numpy as np

AUTOGRAD = {"periodic_loss"}  # the Dirichlet and Neumann solvers write into a traced array


def laplacian_periodic(u, dx):
    return (np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0) + np.roll(u, 1, axis=1)
            + np.roll(u, -1, axis=1) - 4 * u) / dx ** 2


def step_periodic(u, kappa, dt, dx):
    return u + dt * kappa * laplacian_periodic(u, dx)


def periodic_loss(u0, kappa, target, n_steps=10, dt=0.01, dx=0.5):
    u = u0
    for _ in range(n_steps):
        u = step_periodic(u, kappa, dt, dx)
    return np.sum((u - target) ** 2)


def solve_dirichlet(u0, alpha, n_steps, dt=0.1):
    u = u0.copy()
    for _ in range(n_steps):
        lap = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * dt * lap
    return u


def dirichlet_loss(alpha, u0, target):
    return np.mean((solve_dirichlet(u0, alpha, 8) - target) ** 2)


def apply_neumann(u):
    """Zero-flux boundary: copy the first interior row/column onto the edge, in place."""
    u[0, :] = u[1, :]
    u[-1, :] = u[-2, :]
    u[:, 0] = u[:, 1]
    u[:, -1] = u[:, -2]


def neumann_loss(alpha, u0, target, n_steps=6, dt=0.1):
    u = u0.copy()
    for _ in range(n_steps):
        lap = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * dt * lap
        apply_neumann(u)
    return np.mean((u - target) ** 2)


def cases():
    rs = np.random.RandomState(29)
    u0 = rs.rand(5, 5)
    target = rs.rand(5, 5)
    return [(periodic_loss, (u0, 1.3, target), (0, 1)),
            (dirichlet_loss, (0.8, u0, target), 0),
            (neumann_loss, (0.8, u0, target), 0)]
