"""Arguments and gradients as values of a kind: Python float, NumPy scalar, or array.

The reference side of the oracles never calls srcgrad: directions are drawn here, arguments are
moved along them in float64, and a gradient's structure is compared with its argument's.
"""
from typing import Any

import numpy as np


def is_python_float(value: Any) -> bool:
    return isinstance(value, float) and not isinstance(value, np.generic)


def is_float_arg(value: Any) -> bool:
    """A value srcgrad may differentiate with respect to: a float, a NumPy float scalar or array."""
    if isinstance(value, bool | int) and not isinstance(value, np.generic):
        return False
    return is_python_float(value) or np.issubdtype(np.asarray(value).dtype, np.floating)


def to_float64(value: Any) -> Any:
    """The same kind of value in float64 (float32 scalars and arrays are widened; others unchanged)."""
    if is_python_float(value) or not is_float_arg(value):
        return value
    if isinstance(value, np.generic):
        return np.float64(value)
    return np.asarray(value, dtype=np.float64)


def direction_like(value: Any, rng: np.random.Generator) -> Any:
    """A random direction (entries in [-1, 1]) with `value`'s kind, shape and dtype (a valid tangent)."""
    if is_python_float(value):
        return float(rng.uniform(-1.0, 1.0))
    if isinstance(value, np.generic):
        return value.dtype.type(rng.uniform(-1.0, 1.0))
    array = np.asarray(value)
    return rng.uniform(-1.0, 1.0, size=array.shape).astype(array.dtype)


def moved(value: Any, direction: Any, t: float) -> Any:
    """`value + t * direction` in float64, keeping `value`'s kind (float, NumPy scalar, 0-d array)."""
    if is_python_float(value):
        return value + t * float(direction)
    if isinstance(value, np.generic):
        return np.float64(value) + t * np.float64(direction)
    return np.asarray(value, dtype=np.float64) + t * np.asarray(direction, dtype=np.float64)


def dot(gradient: Any, direction: Any) -> float:
    """The directional derivative a gradient predicts, summed in float64."""
    return float(np.sum(np.asarray(gradient, dtype=np.float64) * np.asarray(direction, dtype=np.float64)))


def structure_error(arg: Any, gradient: Any) -> str | None:
    """Why `gradient` does not have `arg`'s structure (kind, shape, floating dtype), or None."""
    if is_python_float(arg):
        if is_python_float(gradient):
            return None
        return f"a Python float argument got a {type(gradient).__name__} gradient"
    if isinstance(arg, np.generic):
        if isinstance(gradient, np.generic) and gradient.dtype == arg.dtype:
            return None
        return f"a NumPy {arg.dtype} scalar argument got {describe(gradient)}"
    if isinstance(gradient, np.ndarray) and gradient.shape == arg.shape and gradient.dtype == arg.dtype:
        return None
    return f"a {arg.dtype} array of shape {arg.shape} got {describe(gradient)}"


def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, np.generic):
        return f"a NumPy {value.dtype} scalar"
    return f"a {type(value).__name__}"


def show(value: Any) -> str:
    """Compact text of a gradient or value for reports."""
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, separator=", ")
        return text if value.dtype == np.float64 else f"{text} ({value.dtype})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype}({float(value):.10g})"
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)
