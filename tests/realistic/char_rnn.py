"""The loss of Karpathy's min-char-rnn: dicts keyed by time step, hs[-1] holding the previous state.

Inputs are one-hot column vectors built with xs[t] = np.zeros((vocab_size, 1)); xs[t][inputs[t]] = 1,
the recurrence and softmax use column-vector algebra, and the loss sums -log of the target probability.
"""
import numpy as np

AUTOGRAD = False  # xs[t][...] = 1 and the dict-of-arrays recurrence write into traced containers


def lossFun(params, inputs, targets, hprev):
    Wxh, Whh, Why, bh, by = params["Wxh"], params["Whh"], params["Why"], params["bh"], params["by"]
    vocab_size = Wxh.shape[1]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))  # encode in 1-of-k representation
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    return loss


def cases():
    rs = np.random.RandomState(53)
    vocab_size, hidden_size = 5, 4
    params = {"Wxh": rs.randn(hidden_size, vocab_size) * 0.3, "Whh": rs.randn(hidden_size, hidden_size) * 0.3,
              "Why": rs.randn(vocab_size, hidden_size) * 0.3, "bh": np.zeros((hidden_size, 1)),
              "by": np.zeros((vocab_size, 1))}
    data = [0, 3, 1, 4, 2, 2, 1]
    inputs, targets = data[:-1], data[1:]
    return [(lossFun, (params, inputs, targets, 0.1 * rs.randn(hidden_size, 1)), 0)]
