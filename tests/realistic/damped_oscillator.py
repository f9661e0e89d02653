"""Fitting a damped harmonic oscillator to observations by differentiating through Euler steps.

The state is a (position, velocity) tuple, the integrator a while loop on simulated time as in a
physics class; stiffness and damping are plain Python floats.
"""
import math

import numpy as np

AUTOGRAD = {"fit_loss", "energy_after"}  # analytic_mismatch uses math.exp on scalars


def simulate(k, c, x0=1.0, v0=0.0, dt=0.05, t_end=2.0, m=1.0):
    x, v = x0, v0
    t = 0.0
    xs = []
    while t < t_end - 1e-12:
        a = (-k * x - c * v) / m
        x, v = x + dt * v, v + dt * a
        t += dt
        xs.append(x)
    return np.array(xs)


def fit_loss(k, c, observed):
    return np.mean((simulate(k, c) - observed) ** 2)


def energy_after(k, c, n_steps=30, dt=0.05):
    """Mechanical energy after n semi-implicit Euler steps (symplectic Euler)."""
    x, v = 1.0, 0.0
    for _ in range(n_steps):
        v = v - dt * (k * x + c * v)
        x = x + dt * v
    return 0.5 * v ** 2 + 0.5 * k * x ** 2


def analytic_mismatch(k, c, ts, observed):
    """Underdamped closed form, x(t) = exp(-c t / 2) cos(w t), with math on scalars."""
    w = math.sqrt(k - c ** 2 / 4)
    total = 0.0
    for t, o in zip(ts, observed):
        total += (math.exp(-c * t / 2) * math.cos(w * t) - o) ** 2
    return total


def cases():
    rs = np.random.RandomState(28)
    observed = simulate(4.0, 0.3) + 0.01 * rs.randn(40)
    ts = np.linspace(0, 2, 7)
    obs = np.exp(-0.2 * ts) * np.cos(2.0 * ts)
    return [(fit_loss, (3.5, 0.5, observed), (0, 1)),
            (energy_after, (4.0, 0.2), (0, 1)),
            (analytic_mismatch, (3.8, 0.35, ts, obs), ("k", "c"))]
