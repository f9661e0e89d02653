"""Multiclass SVM (hinge) loss, CS231n style: naive double loop and a vectorized version."""
import numpy as np

AUTOGRAD = False  # margins[...] = 0 on a traced array


def svm_loss_naive(W, X, y, reg):
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
    loss /= num_train
    loss += reg * np.sum(W * W)
    return loss


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X @ W
    correct = scores[np.arange(num_train), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[np.arange(num_train), y] = 0
    return margins.sum() / num_train + reg * np.sum(W ** 2)


def cases():
    rs = np.random.RandomState(9)
    N, D, C = 7, 5, 4
    X = rs.randn(N, D)
    y = rs.randint(C, size=N)
    W = 0.3 * rs.randn(D, C)
    return [(svm_loss_naive, (W, X, y, 1e-2), 0), (svm_loss_vectorized, (W, X, y, 1e-2), 0)]
