"""Non-blind deconvolution: find the sharp image whose blur matches the observation.

The forward model is scipy.signal.convolve2d with 'same' mode and symmetric boundary, as in
image-processing tutorials; a Tikhonov gradient penalty keeps the estimate smooth.
"""
import numpy as np
from scipy.signal import convolve2d

AUTOGRAD = False  # autograd has no derivative of scipy.signal.convolve2d


def gaussian_kernel(size=3, sigma=1.0):
    ax = np.arange(size) - (size - 1) / 2
    k = np.exp(-0.5 * (ax[:, None] ** 2 + ax[None, :] ** 2) / sigma ** 2)
    return k / k.sum()


def deconvolution_objective(x, blurred, kernel, lam=0.01):
    residual = convolve2d(x, kernel, mode="same", boundary="symm") - blurred
    grad_penalty = np.sum(np.diff(x, axis=0) ** 2) + np.sum(np.diff(x, axis=1) ** 2)
    return 0.5 * np.sum(residual ** 2) + lam * grad_penalty


def cases():
    rs = np.random.RandomState(56)
    kernel = gaussian_kernel()
    sharp = rs.rand(5, 5)
    blurred = convolve2d(sharp, kernel, mode="same", boundary="symm") + 0.01 * rs.randn(5, 5)
    return [(deconvolution_objective, (blurred.copy(), blurred, kernel), 0)]
