"""Adaptive timing: the median of repeated samples, each a loop of calls long enough to time."""
import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Timing:
    """Median seconds per call over `samples` samples of `number` calls each."""

    median: float
    min: float
    samples: int
    number: int
    total: float

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)


def measure(fn: Callable[[], object], min_time: float = 0.2, max_time: float = 1.0, min_samples: int = 5,
            max_samples: int = 200) -> Timing:
    """Time `fn()` adaptively: about `min_time` seconds (at most ~`max_time`) after one warm-up call.

    The number of calls per sample is chosen so a sample lasts about `min_time / 20` (at least
    one call); samples are taken until `min_time` has passed and there are `min_samples` of them,
    or `max_time` has passed. Garbage is collected once before timing, not disabled.
    """
    gc.collect()
    start = time.perf_counter()
    fn()
    single = max(time.perf_counter() - start, 1e-9)
    number = max(1, math.ceil(min_time / 20 / single))
    samples: list[float] = []
    began = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
        elapsed = time.perf_counter() - began
        if len(samples) >= max_samples or elapsed >= max_time:
            break
        if elapsed >= min_time and len(samples) >= min_samples:
            break
    return Timing(statistics.median(samples), min(samples), len(samples), number,
                  time.perf_counter() - began)


def measure_difference(fn_a: Callable[[], object], fn_b: Callable[[], object], min_time: float = 0.2,
                       max_time: float = 1.0, min_samples: int = 10, max_samples: int = 400) -> float:
    """The median over interleaved sample pairs of (time per call of `fn_a`) - (that of `fn_b`).

    Interleaving cancels slow drifts (frequency, other processes), so a difference much smaller
    than either time (a wrapper's overhead) can still be seen.
    """
    gc.collect()
    fn_a()
    start = time.perf_counter()
    fn_b()
    single = max(time.perf_counter() - start, 1e-9)
    number = max(1, math.ceil(min_time / 40 / single))
    diffs: list[float] = []
    began = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn_a()
        t1 = time.perf_counter()
        for _ in range(number):
            fn_b()
        t2 = time.perf_counter()
        diffs.append(((t1 - t0) - (t2 - t1)) / number)
        elapsed = time.perf_counter() - began
        if len(diffs) >= max_samples or elapsed >= max_time:
            break
        if elapsed >= min_time and len(diffs) >= min_samples:
            break
    return statistics.median(diffs)
