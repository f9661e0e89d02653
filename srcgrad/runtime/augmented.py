"""What `x op= e` leaves in x: NumPy writes the result into the array x, keeping its dtype and shape.

Generated code computes `x op e` as a new value (the gradient needs the old one), so when x is an
array it casts that value back the way NumPy's in-place operation would, or fails the way it would.
"""
import numpy as np


def in_place(new, old):
    """`new` (= old op e) as `old op= e` leaves it: old's dtype and shape when old is an array, else new."""
    if not isinstance(old, np.ndarray):
        return new  # numbers, tuples and NumPy scalars are rebound; lists are extended with the same items
    if type(new) is np.ndarray and new.dtype == old.dtype and new.shape == old.shape:
        return new
    shape = np.shape(new)
    if shape != old.shape:
        raise ValueError(f"non-broadcastable output operand with shape {old.shape} doesn't match the broadcast "
                         f"shape {shape}")
    kind = np.result_type(new)
    if not np.can_cast(kind, old.dtype, casting="same_kind"):
        raise TypeError(f"Cannot cast the result of an augmented assignment from {kind} to {old.dtype} with "
                        "casting rule 'same_kind'")
    return np.asarray(new).astype(old.dtype, copy=False).reshape(old.shape)
