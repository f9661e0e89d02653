"""Kalman-filter log-likelihood of a local-level (random walk plus noise) and a 2-D constant-velocity model.

Prediction / update written with np.linalg.inv and matrix products; the innovation likelihood is
accumulated over time; noise variances are exponentiated log parameters.
"""
import numpy as np

AUTOGRAD = True


def local_level_loglik(log_q, log_r, y, m0=0.0, P0=10.0):
    q, r = np.exp(log_q), np.exp(log_r)
    m, P = m0, P0
    ll = 0.0
    for t in range(len(y)):
        P = P + q                   # predict
        S = P + r
        v = y[t] - m
        ll -= 0.5 * (np.log(2 * np.pi * S) + v ** 2 / S)
        K = P / S                   # update
        m = m + K * v
        P = (1 - K) * P
    return -ll


def cv_kalman_nll(log_noise, obs, dt=0.5):
    F = np.array([[1.0, dt], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = np.exp(log_noise[0]) * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    R = np.exp(log_noise[1]) * np.eye(1)
    x = np.zeros((2, 1))
    P = np.eye(2)
    nll = 0.0
    for z in obs:
        x = F @ x
        P = F @ P @ F.T + Q
        y = z.reshape(1, 1) - H @ x
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        x = x + K @ y
        P = (np.eye(2) - K @ H) @ P
        nll = nll + 0.5 * (np.log(np.linalg.det(2 * np.pi * S)) + (y.T @ np.linalg.inv(S) @ y)[0, 0])
    return nll


def cases():
    rs = np.random.RandomState(39)
    y = np.cumsum(0.3 * rs.randn(12)) + 0.5 * rs.randn(12)
    obs = 0.5 * np.arange(8.0) * 0.7 + 0.3 * rs.randn(8)
    return [(local_level_loglik, (np.log(0.1), np.log(0.25), y), (0, 1)),
            (cv_kalman_nll, (np.array([-1.0, -2.0]), obs.reshape(-1, 1)), 0)]
