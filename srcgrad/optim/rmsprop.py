"""RMSprop, as torch.optim.RMSprop.

    g <- g + weight_decay * p
    v <- alpha * v + (1 - alpha) * g**2
    centered: a <- alpha * a + (1 - alpha) * g;  v~ = v - a**2   (else v~ = v)
    momentum > 0: b <- momentum * b + g / (sqrt(v~) + eps);  p <- p - lr * b
    otherwise:    p <- p - lr * g / (sqrt(v~) + eps)
"""
import numpy as np

from srcgrad.optim.base import Optimizer, Schedule


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e) with PyTorch's defaults and options."""

    def __init__(self, lr: float | Schedule = 1e-2, alpha: float = 0.99, eps: float = 1e-8, *,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0,
                 clip_norm: float | None = None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.alpha, self.eps, self.momentum, self.centered = float(alpha), float(eps), float(momentum), centered
        self.slots = ("square_avg",) + (("grad_avg",) if centered else ()) + (("momentum",) if momentum else ())

    def _update_leaf(self, p, g, slots, lr, t):
        g = self._decayed(p, g)
        a = self.alpha
        new = {"square_avg": a * slots["square_avg"] + (1.0 - a) * (g * g)}
        v = new["square_avg"]
        if self.centered:
            new["grad_avg"] = a * slots["grad_avg"] + (1.0 - a) * g
            v = v - new["grad_avg"] * new["grad_avg"]
        step = g / (np.sqrt(v) + self.eps)
        if self.momentum:
            new["momentum"] = step = self.momentum * slots["momentum"] + step
        return p - lr * step, new
