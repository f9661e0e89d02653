"""NeRF-style volume rendering along rays: alpha compositing with exclusive cumulative products.

Densities and colors come from a tiny MLP of the sample positions; transmittance is
cumprod(1 - alpha) shifted by one; the loss is the photometric error of the rendered pixels.
"""
import numpy as np

AUTOGRAD = False  # autograd has no np.cumprod derivative


def render_rays(sigma, rgb, t_vals):
    deltas = np.concatenate([t_vals[:, 1:] - t_vals[:, :-1], 1e10 * np.ones((t_vals.shape[0], 1))], axis=-1)
    alpha = 1.0 - np.exp(-sigma * deltas)
    trans = np.cumprod(1.0 - alpha + 1e-10, axis=-1)
    trans = np.concatenate([np.ones((alpha.shape[0], 1)), trans[:, :-1]], axis=-1)
    weights = alpha * trans
    return np.sum(weights[..., None] * rgb, axis=-2)


def field(params, pts):
    h = np.maximum(pts @ params["W1"] + params["b1"], 0.0)
    out = h @ params["W2"]
    sigma = np.log1p(np.exp(out[..., 0]))
    rgb = 1 / (1 + np.exp(-out[..., 1:]))
    return sigma, rgb


def photometric_loss(params, origins, dirs, t_vals, target):
    pts = origins[:, None, :] + dirs[:, None, :] * t_vals[..., None]
    sigma, rgb = field(params, pts)
    return np.mean((render_rays(sigma, rgb, t_vals) - target) ** 2)


def cases():
    rs = np.random.RandomState(50)
    R, S, H = 3, 5, 6
    params = {"W1": 0.8 * rs.randn(3, H), "b1": 0.1 * rs.randn(H), "W2": 0.5 * rs.randn(H, 4)}
    origins, dirs = rs.randn(R, 3), rs.randn(R, 3)
    t_vals = np.tile(np.linspace(0.5, 2.0, S), (R, 1))
    return [(photometric_loss, (params, origins, dirs, t_vals, rs.rand(R, 3)), 0)]
