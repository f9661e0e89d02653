"""Variational autoencoder on binary data: Gaussian encoder, Bernoulli decoder, one-sample ELBO.

Written the way the autograd VAE example and many course notebooks do it: parameters are a list
of (W, b) pairs per network, the network is a loop over layers, and the reparameterization draws
its noise from a RandomState seeded inside the loss so that the objective is deterministic.
"""
import numpy as np
from scipy.special import expit

AUTOGRAD = True


def init_net_params(scale, layer_sizes, rs=np.random.RandomState(0)):
    """[(W, b), ...] for a fully connected net with the given layer sizes."""
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def relu(x):
    return np.maximum(0.0, x)


def neural_net_predict(params, inputs):
    """Runs a fully connected net; the last layer is linear."""
    for W, b in params[:-1]:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    W, b = params[-1]
    return np.dot(inputs, W) + b


def nn_predict_gaussian(params, inputs):
    """Encoder: splits the output into means and log standard deviations."""
    out = neural_net_predict(params, inputs)
    D = out.shape[-1] // 2
    return out[:, :D], out[:, D:]


def diag_gaussian_log_density(x, mu, log_std):
    return np.sum(-0.5 * (x - mu) ** 2 / np.exp(2 * log_std) - log_std - 0.5 * np.log(2 * np.pi), axis=-1)


def bernoulli_log_density(targets, unnormalized_logprobs):
    # targets in {0, 1}; log p = t * z - log(1 + exp(z))
    return np.sum(targets * unnormalized_logprobs - np.logaddexp(0, unnormalized_logprobs), axis=-1)


def sample_diag_gaussian(mean, log_std, rs):
    return rs.randn(*mean.shape) * np.exp(log_std) + mean


def vae_lower_bound(gen_params, rec_params, data, seed=0):
    rs = np.random.RandomState(seed)
    q_means, q_log_stds = nn_predict_gaussian(rec_params, data)
    latents = sample_diag_gaussian(q_means, q_log_stds, rs)
    q_latents = diag_gaussian_log_density(latents, q_means, q_log_stds)
    p_latents = diag_gaussian_log_density(latents, 0.0, 0.0)
    logits = neural_net_predict(gen_params, latents)
    likelihood = bernoulli_log_density(data, logits)
    return np.mean(p_latents + likelihood - q_latents)


def negative_elbo(gen_params, rec_params, data):
    return -vae_lower_bound(gen_params, rec_params, data)


def decoder_mean_bce(gen_params, latents, data):
    """Reconstruction error written with expit, as a PyTorch port would (BCE on probabilities)."""
    probs = expit(neural_net_predict(gen_params, latents))
    eps = 1e-7
    return -np.mean(data * np.log(probs + eps) + (1 - data) * np.log(1 - probs + eps))


def cases():
    rs = np.random.RandomState(1)
    D, Z, H, N = 6, 2, 5, 4
    gen = init_net_params(0.5, [Z, H, D], rs)
    rec = init_net_params(0.5, [D, H, 2 * Z], rs)
    data = (rs.rand(N, D) > 0.5).astype(float)
    latents = rs.randn(N, Z)
    return [
        (negative_elbo, (gen, rec, data), (0, 1)),
        (decoder_mean_bce, (gen, latents, data), 0),
    ]
