"""Adagrad, as torch.optim.Adagrad.

    lr_t <- lr / (1 + (t - 1) * lr_decay)
    g <- g + weight_decay * p
    s <- s + g**2
    p <- p - lr_t * g / (sqrt(s) + eps)
"""
import numpy as np

from srcgrad.optim.base import Optimizer, Schedule


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): per-coordinate steps shrinking with the summed squared gradient."""

    slots = ("sum",)

    def __init__(self, lr: float | Schedule = 1e-2, lr_decay: float = 0.0, *, eps: float = 1e-10,
                 initial_accumulator_value: float = 0.0, weight_decay: float = 0.0,
                 clip_norm: float | None = None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.lr_decay, self.eps = float(lr_decay), float(eps)
        self.initial_accumulator_value = float(initial_accumulator_value)

    def _init_slot(self, name, p):
        return np.full_like(p, self.initial_accumulator_value)

    def _update_leaf(self, p, g, slots, lr, t):
        g = self._decayed(p, g)
        clr = lr / (1.0 + (t - 1) * self.lr_decay)
        s = slots["sum"] + g * g
        return p - clr * g / (np.sqrt(s) + self.eps), {"sum": s}
