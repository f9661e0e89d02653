"""Oracles for one program at one point, independent of how srcgrad compiles it.

`check_program(module, "f", args, wrt)` runs, in order:
1. f itself (the point is discarded when f raises or returns a non-finite or non-scalar value);
2. self-checked float64 finite differences along random directions (a kink near the point gives
   the status "rejected": draw new inputs, never judge there);
3. `value_and_grad`: the value must equal f's exactly; each gradient must have its argument's
   structure and agree with the finite differences;
4. autograd on its own copy of the module (`autograd_module`), when it can run the program and
   agrees with the finite differences: srcgrad's gradient must match it closely;
5. `jvp` along the first direction: value exact, tangent vs finite differences;
6. `grad(grad(f))` when `wrt` is one float64 scalar: vs second differences.
Failures are categorised: value, gradient, jvp, second, crash (an exception other than a
SrcgradError from srcgrad or its generated code), refusal (a SrcgradError; `refusal_ok` for
programs where a clear refusal is an acceptable answer).
"""
import contextlib
import dataclasses
import inspect
import math
import signal
import threading
import traceback
import warnings
from types import ModuleType
from typing import Any, Callable

import numpy as np

import srcgrad

from . import fd, trees

CATEGORIES = ("value", "gradient", "jvp", "second", "crash", "refusal")
TOLERANCES = {"float64": (2e-5, 1e-6), "float32": (2e-3, 2e-3)}  # (rtol, atol) against finite differences
AUTOGRAD_TOLERANCES = {"float64": (1e-8, 1e-10), "float32": (1e-3, 1e-4)}


@dataclasses.dataclass(frozen=True)
class Failure:
    """One disagreement: its category, the oracle that saw it, and what was seen."""

    category: str
    oracle: str
    message: str
    error: str = ""  # exception type name, for crashes and refusals


@dataclasses.dataclass
class Outcome:
    """`status`: checked, discarded (f unusable at the point), rejected (near a kink), or invalid (f
    writes into its arguments: a generator bug, never judged)."""

    status: str
    failures: list[Failure] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)  # oracles that could not run, and why
    ran: list[str] = dataclasses.field(default_factory=list)  # oracles that gave a verdict
    why: str = ""


class Timeout(Exception):
    """A call into srcgrad or its generated code ran longer than allowed (a hang counts as a crash)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Timeout(f"no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    return f" (at {last.filename.rsplit('/', 1)[-1]}:{last.lineno}: {last.line})" if last else ""


class _Judge:
    """Runs the oracles for one point and collects failures."""

    def __init__(self, f: Callable, args: tuple, wrt: Any, before_call: Callable | None,
                 refusal_ok: bool, timeout: float | None) -> None:
        self.f, self.args, self.wrt = f, args, wrt
        self.before_call, self.refusal_ok, self.timeout = before_call, refusal_ok, timeout
        names = list(inspect.signature(f).parameters)
        items = wrt if isinstance(wrt, tuple) else (wrt,)
        self.indices = [i if isinstance(i, int) else names.index(i) for i in items]
        self.many = isinstance(wrt, tuple)
        self.precision = "float32" if any(np.asarray(a).dtype == np.float32 for a in args if trees.is_float_arg(a)) \
            else "float64"
        self.saved = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
        self.written: set[int] = set()  # arguments some call wrote into
        self.failures: list[Failure] = []
        self.skipped: list[str] = []
        self.ran: list[str] = []

    def call(self, fn: Callable, *args: Any) -> Any:
        if self.before_call is not None:
            self.before_call()
        try:
            return fn(*args)
        finally:
            self.restore()

    def restore(self) -> None:
        """Undo writes into the (array) arguments, remembering which were written."""
        for i, (arg, saved) in enumerate(zip(self.args, self.saved, strict=True)):
            if isinstance(arg, np.ndarray) and not np.array_equal(arg, saved):
                arg[...] = saved
                self.written.add(i)

    def run(self, oracle: str, fn: Callable, *args: Any) -> tuple[bool, Any]:
        """Call into srcgrad; a raised exception becomes a crash or refusal failure."""
        self.ran.append(oracle)
        try:
            with _time_limit(self.timeout), warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return True, self.call(fn, *args)
        except srcgrad.SrcgradError as exc:
            if not self.refusal_ok:
                self.fail("refusal", oracle, f"{type(exc).__name__}: {exc}", type(exc).__name__)
            else:
                self.skipped.append(f"{oracle}: refused ({type(exc).__name__})")
        except Exception as exc:  # noqa: BLE001  (any other exception is the finding)
            self.fail("crash", oracle, f"{type(exc).__name__}: {exc}{_where(exc)}", type(exc).__name__)
        finally:
            if self.written:
                self.fail("value", oracle, f"wrote into argument(s) {sorted(self.written)}")
                self.written.clear()
        return False, None

    def fail(self, category: str, oracle: str, message: str, error: str = "") -> None:
        self.failures.append(Failure(category, oracle, message, error))

    # ---- references

    def reference_value(self) -> tuple[bool, Any, str]:
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), \
                    warnings.catch_warnings():
                warnings.simplefilter("error")
                value = self.call(self.f, *self.args)
        except Exception as exc:  # noqa: BLE001
            return False, None, f"f raised {type(exc).__name__}: {exc}"
        if self.written:  # the generator tries never to write arguments; a program that does is not judged
            return False, None, f"invalid: f writes into its arguments {sorted(self.written)}"
        if isinstance(value, np.ndarray) and value.size != 1 or not np.isscalar(value) and np.ndim(value) != 0:
            return False, None, f"f returned {trees.describe(value)}"
        if not np.isfinite(value):
            return False, None, "f is not finite"
        return True, value, ""

    def phi(self, directions: list[Any]) -> Callable[[float], float]:
        base = [trees.to_float64(a) for a in self.args]

        def phi(t: float) -> float:
            args = list(base)
            for i, d in zip(self.indices, directions, strict=True):
                args[i] = trees.moved(base[i], d, t)
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                return float(np.asarray(self.call(self.f, *args), dtype=np.float64).reshape(()))
        return phi

    def close(self, got: float, want: float, tolerances: dict) -> bool:
        rtol, atol = tolerances[self.precision]
        return math.isfinite(got) and abs(got - want) <= atol + rtol * max(abs(got), abs(want))

    def predicted(self, grads: tuple, directions: list[Any]) -> float:
        return sum(trees.dot(g, d) for g, d in zip(grads, directions, strict=True))


def check_program(module: ModuleType, func_name: str, args: tuple, wrt: Any, *,
                  autograd_module: ModuleType | None = None, before_call: Callable[[], None] | None = None,
                  refusal_ok: bool = False, directions: int = 2, gradient: bool = True, jvp: bool = True,
                  second: bool = True, seed: int = 0, timeout: float | None = 120.0) -> Outcome:
    """Judge srcgrad on `module.func_name` at `args` (see the module docstring).

    Args:
        module: the imported program; `autograd_module` the same source importing autograd.numpy.
        wrt: as srcgrad takes it (index, name, or tuple of them).
        before_call: run before every evaluation of f or of srcgrad's code (reseeds global RNGs).
        refusal_ok: a SrcgradError is an acceptable answer (aliasing programs).
        directions: how many random directions the finite differences take.
        gradient, jvp, second: whether to run value_and_grad (and autograd), jvp, grad(grad).
    Returns:
        An Outcome; its failures list is empty when srcgrad agreed with every reference.
    """
    f = getattr(module, func_name)
    judge = _Judge(f, args, wrt, before_call, refusal_ok, timeout)
    ok, value, why = judge.reference_value()
    if not ok:
        return Outcome("invalid" if why.startswith("invalid") else "discarded", why=why)
    rng = np.random.default_rng(seed)
    dirs = [[trees.direction_like(args[i], rng) for i in judge.indices] for _ in range(directions)]
    slopes = []
    for d in dirs:
        slope = fd.directional(judge.phi(d))
        if not slope.smooth:
            return Outcome("rejected", why=slope.why)
        slopes.append(slope.slope)

    grads = _check_gradient(judge, value, dirs, slopes) if gradient else None
    if autograd_module is not None and grads is not None:
        _check_autograd(judge, getattr(autograd_module, func_name), grads, dirs, slopes)
    if jvp:
        _check_jvp(judge, dirs[0], slopes[0], value)
    if second and not judge.many and judge.precision == "float64" and np.ndim(args[judge.indices[0]]) == 0:
        _check_second(judge, value)
    return Outcome("checked", judge.failures, judge.skipped, judge.ran)


def _check_gradient(judge: _Judge, value: Any, dirs: list, slopes: list) -> tuple | None:
    """value_and_grad: the value, the gradients' structure, the slopes they predict. The gradients, if usable."""
    ok, result = judge.run("value_and_grad", lambda *args: srcgrad.value_and_grad(judge.f, wrt=judge.wrt)(*args),
                           *judge.args)
    if not ok:
        return None
    got, gradient = result
    _check_value(judge, "value_and_grad", got, value)
    grads = _check_structure(judge, gradient)
    if grads is None:
        return None
    for d, slope in zip(dirs, slopes, strict=True):
        predicted = judge.predicted(grads, d)
        if not judge.close(predicted, slope, TOLERANCES):
            judge.fail("gradient", "value_and_grad", f"gradient {trees.show(gradient)} predicts slope {predicted!r} "
                       f"along a random direction, finite differences give {slope!r}")
            break
    return grads


def _check_value(judge: _Judge, oracle: str, got: Any, want: Any) -> None:
    """Exactly f's value (same float, same dtype)."""
    try:
        same = float(np.asarray(got).reshape(())) == float(np.asarray(want).reshape(()))
    except (TypeError, ValueError):
        same = False
    if not same or np.asarray(got).dtype != np.asarray(want).dtype:
        judge.fail("value", oracle, f"value {trees.show(got)}, f returns {trees.show(want)}")


def _check_structure(judge: _Judge, gradient: Any) -> tuple | None:
    """The gradients as a tuple (one per wrt argument), or None after recording a structure failure."""
    grads = gradient if judge.many else (gradient,)
    if judge.many and (not isinstance(gradient, tuple) or len(gradient) != len(judge.indices)):
        judge.fail("gradient", "value_and_grad", f"wrt={judge.wrt!r} should give a tuple of "
                   f"{len(judge.indices)} gradients, got {trees.describe(gradient)}")
        return None
    for i, g in zip(judge.indices, grads, strict=True):
        problem = trees.structure_error(judge.args[i], g)
        if problem:
            judge.fail("gradient", "value_and_grad", f"structure: argument {i}: {problem}")
            return None
    return grads


def _check_autograd(judge: _Judge, f_ag: Callable, grads: tuple, dirs: list, slopes: list) -> None:
    import autograd

    argnum = tuple(judge.indices) if judge.many else judge.indices[0]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ag = judge.call(autograd.grad(f_ag, argnum), *judge.args)
    except Exception as exc:  # noqa: BLE001  (autograd cannot run this program: no opinion)
        judge.skipped.append(f"autograd: {type(exc).__name__}")
        return
    ag = tuple(ag) if judge.many else (ag,)
    judge.ran.append("autograd")
    if not all(judge.close(judge.predicted(ag, d), s, TOLERANCES) for d, s in zip(dirs, slopes, strict=True)):
        judge.skipped.append("autograd: disagrees with finite differences")
        return
    for i, g, a in zip(judge.indices, grads, ag, strict=True):
        g64, a64 = np.asarray(g, dtype=np.float64), np.asarray(a, dtype=np.float64)
        if g64.size != a64.size:  # autograd sometimes leaves a broadcast axis on (shape (1,) for a scalar)
            judge.skipped.append(f"autograd: gradient of shape {a64.shape} for argument {i}")
            return
        rtol, atol = AUTOGRAD_TOLERANCES[judge.precision]
        if not np.allclose(g64, a64.reshape(g64.shape), rtol=rtol, atol=atol):
            judge.fail("gradient", "autograd", f"argument {i}: srcgrad {trees.show(g)}, autograd {trees.show(a)}")
            return


def _check_jvp(judge: _Judge, direction: list, slope: float, value: Any) -> None:
    tangent = tuple(direction) if judge.many else direction[0]
    ok, result = judge.run("jvp", lambda *args: srcgrad.jvp(judge.f, wrt=judge.wrt)(*args), *judge.args, tangent)
    if not ok:
        return
    got, t_out = result
    _check_value(judge, "jvp", got, value)
    try:
        t = float(np.asarray(t_out, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        judge.fail("jvp", "jvp", f"tangent of a scalar output is {trees.describe(t_out)}")
        return
    if not judge.close(t, slope, TOLERANCES):
        judge.fail("jvp", "jvp", f"tangent {t!r} along {trees.show(tangent)}, finite differences give {slope!r}")


def _check_second(judge: _Judge, value: Any) -> None:
    i = judge.indices[0]
    reference = fd.second(judge.phi([1.0]))
    if not reference.smooth:
        judge.skipped.append(f"grad(grad): {reference.why}")
        return
    wrt = judge.wrt
    ok, d2 = judge.run("grad(grad)", lambda *args: srcgrad.grad(srcgrad.grad(judge.f, wrt=wrt), wrt=wrt)(*args),
                       *judge.args)
    if not ok:
        return
    try:
        got = float(np.asarray(d2, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        judge.fail("second", "grad(grad)", f"second derivative of argument {i} is {trees.describe(d2)}")
        return
    if not (math.isfinite(got) and abs(got - reference.slope) <= 1e-5 + 1e-4 * abs(reference.slope)):
        judge.fail("second", "grad(grad)", f"d2f/d{i}^2 = {got!r}, second differences give {reference.slope!r}")
