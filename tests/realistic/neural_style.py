"""Neural style transfer losses on fixed feature maps (Gatys et al.): Gram matrices and content loss.

The "network" is a fixed random conv-free feature extractor (a 1x1 projection and a ReLU) so the
loss is differentiated w.r.t. the image; Gram matrices use np.tensordot / einsum.
"""
import numpy as np

AUTOGRAD = True


def features(img, P):
    C, H, W = img.shape
    F = np.maximum(np.tensordot(P, img, axes=([1], [0])), 0.0)   # (K, H, W)
    return F.reshape(F.shape[0], H * W)


def gram_matrix(F):
    return F @ F.T / F.shape[1]


def style_transfer_loss(img, content_feats, style_gram, P, alpha=1.0, beta=10.0):
    F = features(img, P)
    content = 0.5 * np.sum((F - content_feats) ** 2)
    G = np.einsum("ik,jk->ij", F, F) / F.shape[1]
    style = np.sum((G - style_gram) ** 2) / (4.0 * F.shape[0] ** 2)
    tv = np.sum((img[:, 1:, :] - img[:, :-1, :]) ** 2) + np.sum((img[:, :, 1:] - img[:, :, :-1]) ** 2)
    return alpha * content + beta * style + 1e-2 * tv


def cases():
    rs = np.random.RandomState(55)
    P = rs.randn(4, 3)
    content_img, style_img = rs.rand(3, 4, 4), rs.rand(3, 4, 4)
    content_feats = features(content_img, P)
    style_gram = gram_matrix(features(style_img, P))
    img = content_img + 0.1 * rs.randn(3, 4, 4)
    return [(style_transfer_loss, (img, content_feats, style_gram, P), 0)]
