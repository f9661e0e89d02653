"""Run one generated `Program` through the oracles: load it, retry at new inputs near kinks.

Shared by the pytest tests and the large-volume runner. Each program gets a module of its own,
and (unless it writes through second names, which autograd cannot run) an autograd copy.
"""
import dataclasses
import zlib
from pathlib import Path

import numpy as np

from .oracles import Outcome, check_program
from .program import Program, load, unload

RETRIES = 3  # new inputs drawn near a kink before the program is given up as "rejected"

try:
    import autograd  # noqa: F401
    HAVE_AUTOGRAD = True
except ImportError:
    HAVE_AUTOGRAD = False


@dataclasses.dataclass
class Checked:
    """A program, the arguments it was finally judged at, and the outcome."""

    program: Program
    args: tuple
    outcome: Outcome


def jitter(program: Program, args: tuple, rng: np.random.Generator) -> tuple:
    """New inputs near `args`: every float entry moved by up to 0.05 (kinds and dtypes kept)."""
    new = []
    for param, arg in zip(program.params, args, strict=True):
        if not param.differentiable:
            new.append(arg)
            continue
        shift = rng.uniform(-0.05, 0.05, size=param.shape)
        if param.kind == "float":
            new.append(arg + float(shift))
        elif param.kind in ("float64", "float32"):
            new.append(type(arg)(float(arg) + float(shift)))
        else:
            new.append((np.asarray(arg, dtype=np.float64) + shift).astype(arg.dtype).reshape(param.shape))
    return tuple(new)


def check(program: Program, directory: Path, *, seed: int | None = None, gradient: bool = True, jvp: bool = True,
          second: bool = True, autograd: bool = True, retries: int = RETRIES) -> Checked:
    """Load `program` into `directory` and judge srcgrad on it (see oracles.check_program).

    `seed` (directions, new inputs) defaults to one derived from the source, so a program is judged
    the same way every time hypothesis replays it.
    """
    if seed is None:
        seed = zlib.crc32(program.describe().encode())
    module = load(program.source(), directory)
    ag_module = None
    if gradient and autograd and HAVE_AUTOGRAD and not program.aliasing:
        ag_module = load(program.source("autograd.numpy"), directory, "fuzz_ag")
    before = None
    if program.global_seed is not None:
        def before(seed=program.global_seed):
            np.random.seed(seed)
    rng = np.random.default_rng(seed)
    args = program.args
    try:
        for _ in range(retries + 1):
            outcome = check_program(module, "f", args, program.wrt, autograd_module=ag_module, before_call=before,
                                    refusal_ok=program.aliasing, gradient=gradient, jvp=jvp, second=second,
                                    seed=seed)
            if outcome.status != "rejected":
                break
            args = jitter(program, args, rng)
    finally:
        unload(module)
        if ag_module is not None:
            unload(ag_module)
    return Checked(program, args, outcome)
