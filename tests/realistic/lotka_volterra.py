"""Lotka-Volterra parameter estimation through a hand-written RK4 integrator.

rk4_step takes the right-hand side as a function and forwards extra parameters with *args, the
way scipy.integrate.odeint's `args=` convention is usually imitated.
"""
import numpy as np

AUTOGRAD = True


def lotka_volterra(y, t, alpha, beta, delta, gamma):
    prey, pred = y[0], y[1]
    return np.array([alpha * prey - beta * prey * pred, delta * prey * pred - gamma * pred])


def rk4_step(f, y, t, dt, *args):
    k1 = f(y, t, *args)
    k2 = f(y + dt / 2 * k1, t + dt / 2, *args)
    k3 = f(y + dt / 2 * k2, t + dt / 2, *args)
    k4 = f(y + dt * k3, t + dt, *args)
    return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def odeint_rk4(f, y0, ts, args=()):
    ys = [y0]
    for t0, t1 in zip(ts[:-1], ts[1:]):
        ys.append(rk4_step(f, ys[-1], t0, t1 - t0, *args))
    return np.stack(ys)


def lv_loss(theta, y0, ts, observed):
    traj = odeint_rk4(lotka_volterra, y0, ts, args=tuple(np.exp(theta)))
    return np.sum((np.log(traj) - np.log(observed)) ** 2)


def lv_loss_explicit(alpha, beta, delta, gamma, y0, ts, observed):
    y = y0
    loss = 0.0
    for i in range(1, len(ts)):
        dt = ts[i] - ts[i - 1]
        y = rk4_step(lotka_volterra, y, ts[i - 1], dt, alpha, beta, delta, gamma)
        loss = loss + np.sum((y - observed[i]) ** 2)
    return loss


def euler_fit(theta, y0, ts, observed):
    """Forward Euler with the trajectory kept in a list and read back with ys[-1]."""
    alpha, beta, delta, gamma = np.exp(theta)
    ys = [y0]
    for i in range(1, len(ts)):
        dt = ts[i] - ts[i - 1]
        ys.append(ys[-1] + dt * lotka_volterra(ys[-1], ts[i - 1], alpha, beta, delta, gamma))
    traj = np.array(ys)
    return np.mean((traj - observed) ** 2)


def cases():
    ts = np.linspace(0.0, 3.0, 13)
    y0 = np.array([10.0, 5.0])
    true = odeint_rk4(lotka_volterra, y0, ts, args=(1.0, 0.1, 0.075, 1.5))
    theta = np.log(np.array([1.1, 0.09, 0.08, 1.4]))
    return [(lv_loss, (theta, y0, ts, true), 0),
            (lv_loss_explicit, (1.1, 0.09, 0.08, 1.4, y0, ts, true), (0, 1, 2, 3)),
            (euler_fit, (theta, y0, ts, true), 0)]
