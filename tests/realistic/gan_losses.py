"""GAN objectives with tiny MLP generator and discriminator (non-saturating loss, Goodfellow 2014).

Networks are dicts of weights; noise comes from a RandomState seeded inside the loss; the
discriminator loss uses the softplus form of binary cross-entropy on logits.
"""
import numpy as np

AUTOGRAD = True


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def generator(G, z):
    return np.tanh(z @ G["W1"] + G["b1"]) @ G["W2"]


def discriminator(D, x):
    h = np.maximum(0.2 * (x @ D["W1"]), x @ D["W1"])  # leaky ReLU
    return (h @ D["w2"]).ravel()


def discriminator_loss(D, G, real, n_fake=6):
    rs = np.random.RandomState(1)
    fake = generator(G, rs.randn(n_fake, G["W1"].shape[0]))
    return np.mean(softplus(-discriminator(D, real))) + np.mean(softplus(discriminator(D, fake)))


def generator_loss(G, D, n_fake=6):
    rs = np.random.RandomState(2)
    fake = generator(G, rs.randn(n_fake, G["W1"].shape[0]))
    return np.mean(softplus(-discriminator(D, fake)))


def cases():
    rs = np.random.RandomState(59)
    G = {"W1": 0.5 * rs.randn(2, 4), "b1": 0.1 * rs.randn(4), "W2": 0.5 * rs.randn(4, 2)}
    D = {"W1": 0.5 * rs.randn(2, 5), "w2": 0.5 * rs.randn(5)}
    real = rs.randn(5, 2) + 1.0
    return [(discriminator_loss, (D, G, real), 0), (generator_loss, (G, D), 0)]
