"""The machinery of the realistic corpus: find the modules and their cases, and judge srcgrad on a case.

Every corpus module defines `cases()`, a list of `(function, args, wrt)`, and a flag `AUTOGRAD`
(True when the module also runs unchanged under autograd once its NumPy/SciPy imports are swapped
for autograd's). A case is judged by three references, none of them srcgrad:

  1. the value of `srcgrad.value_and_grad(f, wrt)(*args)` against `f(*args)`;
  2. the gradient against self-checked central finite differences in float64 (steps h and h/4
     must agree, otherwise the point is not smooth enough and the *case* is broken, not srcgrad);
  3. for AUTOGRAD modules, the gradient against autograd run on a copy of the module.

`WrongValue` and `WrongGradient` are raised for silent wrong results; anything srcgrad raises is let
through unchanged so that the expected failures in known.py can name its exact type.
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import re
import sys
import types
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np

import srcgrad

HERE = Path(__file__).resolve().parent
PACKAGE = __name__.rpartition(".")[0] or "realistic"
NOT_CORPUS = {"__init__", "corpus", "known", "survey", "test_realistic"}

FULL_FD_MAX = 40  # entries of one wrt argument up to which every coordinate is differenced
DIRECTIONS = 5  # random directions for larger arguments
STEP = 1e-5  # relative central-difference step; h/4 is the second step of the self-check
RTOL, ATOL = 1e-5, 1e-7  # srcgrad against finite differences
AG_RTOL, AG_ATOL = 1e-8, 1e-10  # srcgrad against autograd (both exact up to rounding)


class WrongValue(AssertionError):
    """value_and_grad's value differs from f(*args)."""


class WrongGradient(AssertionError):
    """The gradient differs from finite differences or autograd (a silent wrong result)."""


class WrongStructure(AssertionError):
    """The gradient does not have its argument's containers, shapes and dtypes."""


class BrokenCase(RuntimeError):
    """The case itself is unusable (finite differences not converged, autograd copy disagrees with f)."""


class Case(NamedTuple):
    id: str
    module: str
    index: int
    fn: Callable
    args: tuple
    wrt: Any


# ---- discovery ---------------------------------------------------------------------------------


def module_names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_CORPUS)


def load(name: str) -> types.ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _case_ids(name: str, raw: list) -> list[str]:
    ids, seen = [], {}
    for fn, _args, wrt in raw:
        base = f"{name}.{getattr(fn, '__qualname__', getattr(fn, '__name__', 'f'))}({_wrt_text(wrt)})"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def _wrt_text(wrt: Any) -> str:
    return ",".join(map(str, wrt)) if isinstance(wrt, tuple | list) else str(wrt)


def module_cases(name: str) -> list[Case]:
    module = load(name)
    raw = module.cases()
    return [Case(i, name, k, fn, tuple(args), wrt) for k, (i, (fn, args, wrt)) in enumerate(zip(_case_ids(name, raw), raw))]


def all_cases() -> list[Case]:
    return [case for name in module_names() for case in module_cases(name)]


# ---- trees of parameters -------------------------------------------------------------------------


def _is_float(leaf: Any) -> bool:
    if isinstance(leaf, bool):
        return False
    if isinstance(leaf, float):
        return True
    return isinstance(leaf, np.ndarray | np.generic) and np.issubdtype(leaf.dtype, np.floating)


def leaves(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, leaf) pairs of a nested dict/list/tuple/NamedTuple/dataclass, in a fixed order."""
    if isinstance(tree, dict):
        return [pl for k in tree for pl in leaves(tree[k], f"{path}[{k!r}]")]
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return [pl for k in tree._fields for pl in leaves(getattr(tree, k), f"{path}.{k}")]
    if isinstance(tree, list | tuple):
        return [pl for i, item in enumerate(tree) for pl in leaves(item, f"{path}[{i}]")]
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return [pl for f in dataclasses.fields(tree) for pl in leaves(getattr(tree, f.name), f"{path}.{f.name}")]
    return [(path, tree)]


def rebuild(tree: Any, values: list) -> Any:
    """`tree` with its leaves, in `leaves` order, replaced by `values` (consumed from the front)."""
    if isinstance(tree, dict):
        return type(tree)((k, rebuild(tree[k], values)) for k in tree)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*[rebuild(getattr(tree, k), values) for k in tree._fields])
    if isinstance(tree, list | tuple):
        return type(tree)(rebuild(item, values) for item in tree)
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return dataclasses.replace(tree, **{f.name: rebuild(getattr(tree, f.name), values)
                                            for f in dataclasses.fields(tree) if f.init})
    return values.pop(0)


def flat(tree: Any) -> np.ndarray:
    parts = [np.ravel(np.asarray(leaf, dtype=np.float64)) for _, leaf in leaves(tree) if _is_float(leaf)]
    return np.concatenate(parts) if parts else np.zeros(0)


def unflat(tree: Any, vector: np.ndarray) -> Any:
    out, start = [], 0
    for _, leaf in leaves(tree):
        if not _is_float(leaf):
            out.append(leaf)
            continue
        size = int(np.size(leaf))
        chunk = vector[start:start + size]
        start += size
        if isinstance(leaf, np.ndarray):
            out.append(chunk.reshape(leaf.shape).astype(leaf.dtype))
        elif isinstance(leaf, np.generic):
            out.append(leaf.dtype.type(chunk[0]))
        else:
            out.append(float(chunk[0]))
    return rebuild(tree, out)


def float_paths(tree: Any) -> list[str]:
    """The path of every flat entry (one per scalar) of `tree`'s float leaves."""
    out = []
    for path, leaf in leaves(tree):
        if _is_float(leaf):
            out += [f"{path}{list(ix) if ix else ''}" for ix in np.ndindex(np.shape(leaf))]
    return out


def check_structure(grad: Any, arg: Any, where: str) -> None:
    """The gradient has the argument's containers, shapes and floating dtypes."""
    g_leaves, a_leaves = leaves(grad), leaves(arg)
    if [p for p, _ in g_leaves] != [p for p, _ in a_leaves] or type(grad) is not type(arg):
        raise WrongStructure(f"{where}: gradient structure {[p for p, _ in g_leaves]} ({type(grad).__name__}) "
                             f"!= argument structure {[p for p, _ in a_leaves]} ({type(arg).__name__})")
    for (path, g), (_, a) in zip(g_leaves, a_leaves):
        if _is_float(a) and np.shape(g) != np.shape(a):
            raise WrongStructure(f"{where}{path}: gradient shape {np.shape(g)} != argument shape {np.shape(a)}")


# ---- calling f -------------------------------------------------------------------------------------


def positions(fn: Callable, wrt: Any) -> tuple[list[int], bool]:
    names = list(inspect.signature(fn).parameters)
    many = isinstance(wrt, tuple | list)
    return [names.index(w) if isinstance(w, str) else w % len(names) for w in (wrt if many else [wrt])], many


def scalar(value: Any) -> float:
    if np.size(value) != 1:
        raise BrokenCase(f"the loss returned shape {np.shape(value)}, not a scalar")
    return float(np.ravel(np.asarray(value, dtype=np.float64))[0])


def call(fn: Callable, args: tuple) -> Any:
    """f on a deep copy of its arguments (some losses update running statistics in a dict)."""
    return fn(*copy.deepcopy(args))


def _phi(fn: Callable, args: tuple, pos: int, base: np.ndarray, direction: np.ndarray) -> Callable[[float], float]:
    def phi(t: float) -> float:
        moved = list(args)
        moved[pos] = unflat(args[pos], base + t * direction)
        return scalar(call(fn, tuple(moved)))
    return phi


def slope(phi: Callable[[float], float], scale: float, where: str) -> float:
    """phi'(0) by central differences at steps h and h/4, which must agree (else BrokenCase)."""
    h = STEP * max(1.0, scale)
    c1 = (phi(h) - phi(-h)) / (2 * h)
    c4 = (phi(h / 4) - phi(-h / 4)) / (h / 2)
    if not (np.isfinite(c1) and np.isfinite(c4)) or abs(c1 - c4) > 1e-5 * (1.0 + abs(c4)):
        raise BrokenCase(f"{where}: finite differences do not converge ({c1!r} at h, {c4!r} at h/4): "
                         "the case sits on a kink or is badly scaled")
    return (16 * c4 - c1) / 15  # Richardson: the h^2 error terms cancel


def _directions(arg: Any, seed: int) -> tuple[np.ndarray, list[str]]:
    """Random unit directions: one inside each float leaf (so a wrong leaf is named), then DIRECTIONS overall."""
    rng = np.random.default_rng(seed)
    sizes = [(path or "(the argument)", int(np.size(leaf))) for path, leaf in leaves(arg) if _is_float(leaf)]
    total = sum(n for _, n in sizes)
    dirs, names, start = [], [], 0
    for path, n in sizes:
        d = np.zeros(total)
        d[start:start + n] = rng.normal(size=n)
        start += n
        dirs.append(d)
        names.append(f"a random direction in {path}")
    for k in range(DIRECTIONS):
        dirs.append(rng.normal(size=total))
        names.append(f"random direction {k}")
    dirs = np.array(dirs)
    return dirs / np.linalg.norm(dirs, axis=1, keepdims=True), names


def finite_differences(fn: Callable, args: tuple, pos: int, seed: int) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """(derivatives, directions, names): the full gradient (directions None, names the entries) or
    slopes along random unit directions."""
    args = tuple(args)
    base = flat(args[pos])
    scale = float(np.max(np.abs(base))) if base.size else 1.0
    if base.size <= FULL_FD_MAX:
        eye = np.eye(base.size)
        names = float_paths(args[pos])
        return np.array([slope(_phi(fn, args, pos, base, eye[i]), abs(base[i]), f"argument {pos} entry {names[i]}")
                         for i in range(base.size)]), None, names
    dirs, names = _directions(args[pos], seed)
    return np.array([slope(_phi(fn, args, pos, base, d), scale, f"argument {pos} along {name}")
                     for d, name in zip(dirs, names)]), dirs, names


def compare(got: np.ndarray, fd: np.ndarray, dirs: np.ndarray | None, names: list[str], where: str,
            who: str = "srcgrad") -> None:
    if not np.all(np.isfinite(got)):
        raise WrongGradient(f"{where}: non-finite gradient entries {np.flatnonzero(~np.isfinite(got)).tolist()[:5]}")
    if dirs is None:
        bad = np.abs(got - fd) > ATOL * (1 + np.max(np.abs(fd), initial=0.0)) + RTOL * np.abs(fd)
        if bad.any():
            idx = np.flatnonzero(bad)
            worst = idx[np.argmax(np.abs(got - fd)[idx])]
            raise WrongGradient(f"{where}: {idx.size} of {got.size} entries differ from finite differences, "
                                f"worst {names[worst] or '(the argument)'}: {who} {float(got[worst])!r}, "
                                f"finite differences {float(fd[worst])!r}")
        return
    for k, d in enumerate(dirs):
        have, scale = float(got @ d), float(np.abs(got) @ np.abs(d))
        if abs(have - fd[k]) > ATOL * (1 + scale) + RTOL * max(scale, abs(fd[k])):
            raise WrongGradient(f"{where}: along {names[k]}: {who} {have!r}, finite differences {float(fd[k])!r}")


# ---- autograd copies ---------------------------------------------------------------------------------

_IMPORTS = [
    (r"^(\s*)import numpy as (\w+)\s*$", r"\1import autograd.numpy as \2"),
    (r"^(\s*)import numpy\s*$", r"\1import autograd.numpy as numpy"),
    (r"^(\s*)from numpy import (.*)$", r"\1from autograd.numpy import \2"),
    (r"^(\s*)from numpy\.linalg import (.*)$", r"\1from autograd.numpy.linalg import \2"),
    (r"^(\s*)from scipy\.(special|stats|linalg) import (.*)$", r"\1\3 = _autograd_names('\2', '\3')"),
    (r"^(\s*)from scipy import (.*)$", r"\1from autograd.scipy import \2"),
    (r"^(\s*)import scipy\.(special|stats|linalg) as (\w+)\s*$", r"\1import autograd.scipy.\2 as \3"),
    (r"^(\s*)import scipy\.(special|stats|linalg)\s*$", r"\1import autograd.scipy.\2\n\1from autograd import scipy"),
]

_copies: dict[str, types.ModuleType] = {}


def _autograd_names(sub: str, names: str) -> Any:
    """`from scipy.<sub> import names` in a copy: autograd's version of each name where it has one."""
    ag, sp = importlib.import_module(f"autograd.scipy.{sub}"), importlib.import_module(f"scipy.{sub}")
    found = [getattr(ag, n.strip()) if hasattr(ag, n.strip()) else getattr(sp, n.strip()) for n in names.split(",")]
    return found[0] if len(found) == 1 else tuple(found)


def autograd_copy(name: str) -> types.ModuleType:
    """The module `name` executed again with NumPy/SciPy imports swapped for autograd's."""
    if name not in _copies:
        source = (HERE / f"{name}.py").read_text()
        for pattern, repl in _IMPORTS:
            source = re.sub(pattern, repl, source, flags=re.M)
        module = types.ModuleType(f"{PACKAGE}._autograd_{name}")
        module._autograd_names = _autograd_names
        module.__file__ = f"<autograd copy of {name}.py>"
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        _copies[name] = module
    return _copies[name]


def autograd_gradients(case: Case) -> list:
    """autograd's gradients of the copy's version of the case, one per wrt argument, and the copy's value."""
    import autograd

    twin = autograd_copy(case.module).cases()[case.index]
    fn, args = twin[0], tuple(twin[1])
    pos, _ = positions(fn, case.wrt)

    def packed(wrt_values):
        moved = list(copy.deepcopy(args))
        for p, v in zip(pos, wrt_values):
            moved[p] = v
        return fn(*moved)

    value = scalar(call(fn, args))
    want = scalar(call(case.fn, case.args))
    if not np.isclose(value, want, rtol=1e-10, atol=1e-12):
        raise BrokenCase(f"the autograd copy computes {value!r}, the module {want!r}")
    grads = autograd.grad(packed)(tuple(copy.deepcopy(args[p]) for p in pos))
    return [flat(g) for g in grads]


# ---- the judgement ----------------------------------------------------------------------------------


def uses_autograd(case: Case) -> bool:
    """The module's AUTOGRAD flag: True, False, or a set of function names (qualnames) autograd can run."""
    flag = getattr(load(case.module), "AUTOGRAD", False)
    if isinstance(flag, bool):
        return flag
    return getattr(case.fn, "__qualname__", "") in flag


def srcgrad_result(case: Case) -> tuple[Any, list]:
    value, grads = srcgrad.value_and_grad(case.fn, wrt=case.wrt)(*copy.deepcopy(case.args))
    _, many = positions(case.fn, case.wrt)
    return value, list(grads) if many else [grads]


def check_case(case: Case, use_autograd: bool | None = None) -> None:
    """Judge srcgrad on `case`; raises srcgrad's own exception, or WrongValue/WrongGradient/WrongStructure."""
    use_autograd = uses_autograd(case) if use_autograd is None else use_autograd
    want_value = scalar(call(case.fn, case.args))
    value, grads = srcgrad_result(case)
    got_value = scalar(value)
    if not np.isclose(got_value, want_value, rtol=1e-10, atol=1e-12):
        raise WrongValue(f"value_and_grad's value {got_value!r} != f(*args) {want_value!r}")
    pos, _ = positions(case.fn, case.wrt)
    try:
        ag = autograd_gradients(case) if use_autograd else None
    except BrokenCase:
        raise
    except Exception as exc:  # the oracle failed, not srcgrad
        raise BrokenCase(f"the autograd copy failed: {type(exc).__name__}: {exc}") from exc
    for k, (p, g) in enumerate(zip(pos, grads)):
        where = f"grad w.r.t. argument {p}"
        check_structure(g, case.args[p], where)
        got = flat(g)
        fd, dirs, names = finite_differences(case.fn, case.args, p, seed=k)
        compare(got, fd, dirs, names, where)
        if ag is not None:
            bad = np.abs(got - ag[k]) > AG_ATOL * (1 + np.max(np.abs(ag[k]), initial=0.0)) + AG_RTOL * np.abs(ag[k])
            if bad.any():
                i = np.flatnonzero(bad)[0]
                raise WrongGradient(f"{where}: entry {float_paths(case.args[p])[i]}: srcgrad {float(got[i])!r}, "
                                    f"autograd {float(ag[k][i])!r} (both within the finite-difference tolerance)")


def check_autograd_copy(case: Case) -> None:
    """The oracle itself: autograd's gradient on the copy matches finite differences (no srcgrad involved)."""
    pos, _ = positions(case.fn, case.wrt)
    ag = autograd_gradients(case)
    for k, p in enumerate(pos):
        fd, dirs, names = finite_differences(case.fn, case.args, p, seed=k)
        try:
            compare(ag[k], fd, dirs, names, f"autograd w.r.t. argument {p}", who="autograd")
        except WrongGradient as exc:
            raise BrokenCase(str(exc)) from None
