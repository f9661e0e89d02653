"""Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (without amsgrad).

    g <- g + weight_decay * p                 (Adam: L2 penalty in the gradient)
    p <- p - lr * weight_decay * p            (AdamW: decoupled decay, before the step)
    m <- beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g**2
    p <- p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)
"""
import math

import numpy as np

from srcgrad.optim.base import Optimizer, Schedule


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction; `weight_decay` is an L2 penalty."""

    slots = ("m", "v")

    def __init__(self, lr: float | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 *, weight_decay: float = 0.0, clip_norm: float | None = None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)

    def _update_leaf(self, p, g, slots, lr, t):
        g = self._decayed(p, g)
        return self._adam(p, g, slots, lr, t)

    def _adam(self, p, g, slots, lr, t):
        b1, b2 = self.betas
        m = b1 * slots["m"] + (1.0 - b1) * g
        v = b2 * slots["v"] + (1.0 - b2) * (g * g)
        # PyTorch's arrangement of the bias corrections: the same value as the equation above.
        denom = np.sqrt(v) / math.sqrt(1.0 - b2**t) + self.eps
        return p - (lr / (1.0 - b1**t)) * m / denom, {"m": m, "v": v}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019); default decay 1e-2 as PyTorch."""

    def __init__(self, lr: float | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 *, weight_decay: float = 1e-2, clip_norm: float | None = None):
        super().__init__(lr, betas, eps, weight_decay=weight_decay, clip_norm=clip_norm)

    def _update_leaf(self, p, g, slots, lr, t):
        p = p * (1.0 - lr * self.weight_decay) if self.weight_decay else p
        return self._adam(p, g, slots, lr, t)
