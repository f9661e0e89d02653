"""Softmax classifier loss, naive (loops) and vectorized, in the style of the CS231n assignment.

The naive version loops over examples with X[i].dot(W), shifts scores in place for numerical
stability and accumulates the loss; both return (loss, dW) where dW is the hand-written gradient,
and the objective used for training keeps only the loss.
"""
import numpy as np

AUTOGRAD = False  # in-place `scores -= np.max(scores)` and dW[:, j] += ... on traced arrays


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        p = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(p[y[i]])
        for j in range(num_classes):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(num_train), y]).sum() / num_train
    loss += reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW


def naive_objective(W, X, y, reg=1e-3):
    loss, _ = softmax_loss_naive(W, X, y, reg)
    return loss


def vectorized_objective(W, X, y, reg=1e-3):
    return softmax_loss_vectorized(W, X, y, reg)[0]


def cases():
    rs = np.random.RandomState(8)
    N, D, C = 6, 4, 3
    X = rs.randn(N, D)
    y = rs.randint(C, size=N)
    W = 0.01 * rs.randn(D, C)
    return [(naive_objective, (W, X, y), 0), (vectorized_objective, (W, X, y), 0)]
