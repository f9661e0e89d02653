"""A bidirectional RNN sequence tagger: forward states appended, backward states inserted at the front.

The backward pass over the sentence walks reversed(range(T)) and keeps its states aligned with the
tokens by hs_bwd.insert(0, h), as in many from-scratch BiRNN / BiLSTM implementations.
"""
import numpy as np

AUTOGRAD = True


def rnn_cell(x, h, Wx, Wh, b):
    return np.tanh(x @ Wx + h @ Wh + b)


def birnn_states(params, xs):
    H = params["Wh_f"].shape[0]
    h = np.zeros(H)
    hs_fwd = []
    for t in range(len(xs)):
        h = rnn_cell(xs[t], h, params["Wx_f"], params["Wh_f"], params["b_f"])
        hs_fwd.append(h)
    h = np.zeros(H)
    hs_bwd = []
    for t in reversed(range(len(xs))):
        h = rnn_cell(xs[t], h, params["Wx_b"], params["Wh_b"], params["b_b"])
        hs_bwd.insert(0, h)
    return [np.concatenate([hf, hb]) for hf, hb in zip(hs_fwd, hs_bwd)]


def tagger_loss(params, xs, tags):
    loss = 0.0
    for h, tag in zip(birnn_states(params, xs), tags):
        logits = h @ params["W_out"]
        logits = logits - logits.max()
        loss = loss - (logits[tag] - np.log(np.exp(logits).sum()))
    return loss / len(tags)


def cases():
    rs = np.random.RandomState(68)
    D, H, C, T = 3, 3, 3, 4
    params = {"Wx_f": 0.5 * rs.randn(D, H), "Wh_f": 0.5 * rs.randn(H, H), "b_f": np.zeros(H),
              "Wx_b": 0.5 * rs.randn(D, H), "Wh_b": 0.5 * rs.randn(H, H), "b_b": np.zeros(H),
              "W_out": 0.5 * rs.randn(2 * H, C)}
    return [(tagger_loss, (params, rs.randn(T, D), rs.randint(C, size=T)), 0)]
