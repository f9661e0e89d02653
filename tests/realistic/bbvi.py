"""Black-box variational inference for a 2-D "banana" posterior with a diagonal Gaussian family.

The style of autograd's black_box_svi example: the variational parameters are one flat vector
split into mean and log standard deviation, the target log density uses scipy.stats.norm.logpdf,
and the entropy is written in closed form.
"""
import numpy as np
from scipy.stats import norm

AUTOGRAD = True


def log_density(x):
    mu, log_sigma = x[:, 0], x[:, 1]
    sigma_density = norm.logpdf(log_sigma, 0, 1.35)
    mu_density = norm.logpdf(mu, 0, np.exp(log_sigma))
    return sigma_density + mu_density


def unpack_params(params):
    D = len(params) // 2
    mean, log_std = params[:D], params[D:]
    return mean, log_std


def gaussian_entropy(log_std):
    return 0.5 * log_std.shape[0] * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)


def variational_objective(params, num_samples=20, seed=0):
    """Negative ELBO estimated with a fixed draw of samples (common random numbers)."""
    rs = np.random.RandomState(seed)
    mean, log_std = unpack_params(params)
    D = mean.shape[0]
    samples = rs.randn(num_samples, D) * np.exp(log_std) + mean
    lower_bound = gaussian_entropy(log_std) + np.mean(log_density(samples))
    return -lower_bound


def make_objective(logprob, D, num_samples):
    """The closure form: build the objective once, hand it to an optimizer."""
    def objective(params):
        rs = np.random.RandomState(42)
        mean, log_std = params[:D], params[D:]
        eps = rs.randn(num_samples, D)
        z = mean + np.exp(log_std) * eps
        return -(gaussian_entropy(log_std) + np.mean(logprob(z)))
    return objective


def cases():
    params = np.array([0.3, -0.5, -1.0, -0.7])
    return [
        (variational_objective, (params,), 0),
        (make_objective(log_density, 2, 16), (params.copy(),), 0),
    ]
