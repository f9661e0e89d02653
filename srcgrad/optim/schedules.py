"""Learning-rate schedules: callables `schedule(step) -> lr` of the 0-based optimizer step.

Schedules count optimizer steps (batches), not epochs; to decay per epoch, pass
`step_size = epochs_between_decays * steps_per_epoch`. They compose: `warmup` wraps any
schedule (or a constant) and ramps it up linearly over the first steps.

>>> [round(warmup(0.1, warmup_steps=10)(t), 4) for t in (0, 4, 9, 10)]
[0.01, 0.05, 0.1, 0.1]
>>> s = warmup(cosine_lr(0.1, total_steps=100), warmup_steps=10)
>>> [round(s(t), 4) for t in (0, 50, 100)]
[0.01, 0.05, 0.0]
"""
import math
from collections.abc import Callable
from dataclasses import dataclass

Schedule = Callable[[int], float]


@dataclass(frozen=True)
class step_lr:
    """`lr * gamma ** (step // step_size)`, as torch.optim.lr_scheduler.StepLR."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class exponential_lr:
    """`lr * gamma ** step`, as torch.optim.lr_scheduler.ExponentialLR."""

    lr: float
    gamma: float

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma**step


@dataclass(frozen=True)
class cosine_lr:
    """Cosine annealing from `lr` to `min_lr` over `total_steps`, then `min_lr` (CosineAnnealingLR)."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __call__(self, step: int) -> float:
        frac = min(step, self.total_steps) / self.total_steps
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + math.cos(math.pi * frac))


@dataclass(frozen=True)
class warmup:
    """Linear warm-up: `schedule(step) * (step + 1) / warmup_steps` during the first `warmup_steps` steps.

    `schedule` may be a constant learning rate or any other schedule, which sees the same step
    count (so a cosine decay keeps its length).
    """

    schedule: "float | Schedule"
    warmup_steps: int

    def __call__(self, step: int) -> float:
        lr = self.schedule(step) if callable(self.schedule) else float(self.schedule)
        return lr * min(1.0, (step + 1) / self.warmup_steps)
