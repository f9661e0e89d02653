"""A recursive neural network over binary parse trees (Socher et al., CS224d assignment style).

Trees are nested tuples with word indices at the leaves; encode() recurses with isinstance tests;
the root vector is classified with a softmax; the loss sums over a small treebank.
"""
import numpy as np

AUTOGRAD = True


def encode(node, params):
    if isinstance(node, int):
        return params["L"][node]
    left, right = node
    children = np.concatenate([encode(left, params), encode(right, params)])
    return np.tanh(params["W"] @ children + params["b"])


def tree_loss(params, trees, labels):
    loss = 0.0
    for tree, label in zip(trees, labels):
        h = encode(tree, params)
        logits = params["U"] @ h
        logits = logits - np.max(logits)
        loss += np.log(np.sum(np.exp(logits))) - logits[label]
    return loss / len(trees)


def cases():
    rs = np.random.RandomState(64)
    V, d, C = 6, 3, 2
    params = {"L": 0.5 * rs.randn(V, d), "W": 0.4 * rs.randn(d, 2 * d), "b": np.zeros(d), "U": 0.5 * rs.randn(C, d)}
    trees = [((0, 1), 2), (3, (4, (5, 0))), (1, 4)]
    return [(tree_loss, (params, trees, [1, 0, 1]), 0)]
