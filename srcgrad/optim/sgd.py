"""Stochastic gradient descent, with optional (Nesterov) momentum, as torch.optim.SGD.

    g <- g + weight_decay * p
    b <- g                                   on the first step
    b <- momentum * b + (1 - dampening) * g  afterwards
    g <- g + momentum * b  (nesterov)  or  g <- b
    p <- p - lr * g
"""
import numpy as np

from srcgrad.optim.base import Optimizer, Schedule


class SGD(Optimizer):
    """Plain SGD, or SGD with momentum (heavy ball or Nesterov).

    Args:
        lr: learning rate or schedule.
        momentum: momentum factor (0 disables the momentum buffer).
        dampening: dampening of the momentum (PyTorch's `dampening`).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch).
        weight_decay, clip_norm: see `Optimizer`.
    """

    def __init__(self, lr: float | Schedule = 1e-2, momentum: float = 0.0, *, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, clip_norm: float | None = None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")
        self.momentum, self.dampening, self.nesterov = float(momentum), float(dampening), nesterov
        self.slots = ("momentum",) if momentum else ()

    def _update_leaf(self, p, g, slots, lr, t):
        g = self._decayed(p, g)
        if not self.momentum:
            return p - lr * g, {}
        b = np.array(g) if t == 1 else self.momentum * slots["momentum"] + (1.0 - self.dampening) * g
        step = g + self.momentum * b if self.nesterov else b
        return p - lr * step, {"momentum": b}
