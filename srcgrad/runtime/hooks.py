"""`insert_grad_of`: user code that runs on an adjoint during the backward pass.

Inside a differentiated function, `with srcgrad.insert_grad_of(x) as g: ...` runs its body in the
backward sweep, at the point where the adjoint of `x` has received every contribution from the
code after the statement; `g` is that adjoint, and whatever the body leaves in `g` becomes it
(gradient clipping inside an RNN, debugging prints). Called as plain Python, nothing is
differentiated: the body runs once on zeros shaped like `x`.
"""
import contextlib
from collections.abc import Iterator

import numpy as np


@contextlib.contextmanager
def insert_grad_of(x) -> Iterator:
    yield np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0
