"""REINFORCE surrogate loss for a softmax policy, with discounted returns and a baseline.

Returns are computed by a reversed loop over rewards (Karpathy's Pong example), standardized,
and the surrogate is -sum(log pi(a|s) * advantage); an entropy bonus is added.
"""
import numpy as np

AUTOGRAD = True


def discount_rewards(r, gamma=0.99):
    discounted = np.zeros_like(r)
    running_add = 0.0
    for t in reversed(range(len(r))):
        running_add = running_add * gamma + r[t]
        discounted[t] = running_add
    return discounted


def policy(theta, states):
    logits = states @ theta
    logits = logits - logits.max(axis=1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def reinforce_loss(theta, states, actions, rewards, beta=0.01):
    returns = discount_rewards(rewards)
    adv = (returns - returns.mean()) / (returns.std() + 1e-8)
    log_probs = policy(theta, states)
    chosen = log_probs[np.arange(len(actions)), actions]
    entropy = -np.sum(np.exp(log_probs) * log_probs, axis=1)
    return -np.sum(chosen * adv) - beta * np.sum(entropy)


def cases():
    rs = np.random.RandomState(43)
    T, S, A = 8, 3, 2
    states = rs.randn(T, S)
    actions = rs.randint(A, size=T)
    rewards = rs.randn(T)
    return [(reinforce_loss, (0.3 * rs.randn(S, A), states, actions, rewards), 0)]
