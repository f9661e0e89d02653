"""Self-checked central finite differences in float64 along one direction.

`directional(phi)` differences phi(t) = f(x + t v) with steps h and h/4. At a smooth point the two
central differences agree to O(h^2), and the one-sided slopes differ by about t * phi''. A kink
or jump within the steps breaks one of the two: a kink or jump at distance d from the point changes
the central difference by a multiple of d / h, a kink exactly at the point makes
(forward - backward) the same at both steps instead of shrinking fourfold. Such points are
reported as not smooth, and the oracles draw new inputs instead of judging there.
"""
import dataclasses
import math
from typing import Callable

STEP = 1e-5
SMOOTH_TOL = 1e-6  # disagreement between the two steps, relative to 1 + |slope|, that still counts as smooth
EVAL_NOISE = 1e-13  # relative rounding error of one evaluation of f (loops included)


@dataclasses.dataclass(frozen=True)
class Slope:
    """The derivative estimate and whether the point is smooth enough to judge a gradient there."""

    slope: float
    smooth: bool
    why: str = ""


def directional(phi: Callable[[float], float], step: float = STEP) -> Slope:
    """d/dt phi(t) at 0 by central differences, with a kink test (see the module docstring)."""
    try:
        f0 = phi(0.0)
        values = {t: phi(t) for t in (step, -step, step / 4, -step / 4)}
    except (ArithmeticError, ValueError) as exc:
        return Slope(math.nan, False, f"f failed near the point: {type(exc).__name__}")
    if not all(math.isfinite(v) for v in [f0, *values.values()]):
        return Slope(math.nan, False, "f is not finite near the point")
    c1 = (values[step] - values[-step]) / (2 * step)
    c4 = (values[step / 4] - values[-step / 4]) / (step / 2)
    bend1 = (values[step] - 2 * f0 + values[-step]) / step  # forward minus backward slope
    bend4 = (values[step / 4] - 2 * f0 + values[-step / 4]) / (step / 4)
    tol = SMOOTH_TOL * (1.0 + abs(c4)) + 10 * EVAL_NOISE * (1.0 + abs(f0)) / (step / 4)
    if abs(c1 - c4) > tol:
        return Slope(c4, False, f"central differences disagree: {c1!r} (h) vs {c4!r} (h/4)")
    if abs(bend4 - bend1 / 4) > tol:
        return Slope(c4, False, f"one-sided slopes differ by {bend4!r}: a kink at the point")
    return Slope(c4, True)


def second(phi: Callable[[float], float], step: float = 1e-3) -> Slope:
    """phi''(0) by second differences at steps h and h/2 (Richardson-combined), self-checked."""
    try:
        f0 = phi(0.0)
        values = {t: phi(t) for t in (step, -step, step / 2, -step / 2)}
    except (ArithmeticError, ValueError) as exc:
        return Slope(math.nan, False, f"f failed near the point: {type(exc).__name__}")
    if not all(math.isfinite(v) for v in [f0, *values.values()]):
        return Slope(math.nan, False, "f is not finite near the point")
    d1 = (values[step] - 2 * f0 + values[-step]) / step ** 2
    d2 = (values[step / 2] - 2 * f0 + values[-step / 2]) / (step / 2) ** 2
    if abs(d1 - d2) > 1e-4 * (1.0 + abs(d2)):
        return Slope(d2, False, f"second differences disagree: {d1!r} (h) vs {d2!r} (h/2)")
    return Slope((4 * d2 - d1) / 3, True)
