"""A fastText-style document classifier: averaged word embeddings of variable-length documents.

Documents are Python lists of token ids; embeddings are averaged with np.mean over E[ids];
the per-document loss is accumulated in a loop and divided by the number of documents.
"""
import numpy as np

AUTOGRAD = True


def doc_vector(E, ids):
    return np.mean(E[ids], axis=0)


def fasttext_loss(params, docs, labels):
    E, W = params["E"], params["W"]
    total = 0.0
    for ids, label in zip(docs, labels):
        logits = doc_vector(E, ids) @ W
        logits = logits - np.max(logits)
        total = total - (logits[label] - np.log(np.sum(np.exp(logits))))
    return total / len(docs)


def cases():
    rs = np.random.RandomState(61)
    V, d, C = 8, 3, 2
    params = {"E": 0.5 * rs.randn(V, d), "W": 0.5 * rs.randn(d, C)}
    docs = [[0, 1, 1, 5], [2, 7], [3, 4, 6, 0, 1], [5]]
    labels = [0, 1, 1, 0]
    return [(fasttext_loss, (params, docs, labels), 0)]
