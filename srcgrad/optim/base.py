"""The optimizer protocol: pure updates on parameter trees, with state as flat arrays.

A parameter tree is nested dicts, lists, tuples, named tuples and dataclasses (optim/tree.py); the
updated parameters come back in the same structure and types, static entries (strings, ints, None,
functions) unchanged. An optimizer never mutates its inputs: `update(params, grads, state)` returns
new parameters and a new state, so a step that fails half way (a non-finite value, an interrupt)
leaves the caller's parameters and state as they were. The state is a dict `{"step": int, slot: [array
per leaf]}`; `state_to_arrays` / `state_from_arrays` turn it into named flat arrays for
checkpoints. Every array keeps the dtype of its parameter (float32 stays float32): the
hyperparameters enter the arithmetic as Python floats, which NumPy does not let upcast.
"""
from collections.abc import Callable
from typing import Any

import numpy as np

from srcgrad.optim.tree import flatten, leaves_like, unflatten

Schedule = Callable[[int], float]
State = dict[str, Any]


def global_norm(grads: list[np.ndarray]) -> float:
    """The Euclidean norm of all gradient leaves taken together (computed in float64)."""
    return float(np.sqrt(sum(float(np.vdot(g, g).real) for g in grads)))


def clip_by_global_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Scale `grads` so their global norm is at most `max_norm` (as torch.nn.utils.clip_grad_norm_)."""
    coef = max_norm / (global_norm(grads) + 1e-6)
    if coef >= 1.0:
        return grads
    return [g * coef for g in grads]


class Optimizer:
    """Base class: subclasses name their per-parameter `slots` and implement `_update_leaf`.

    Args:
        lr: learning rate, a float or a schedule `lr(step) -> float` of the 0-based step index.
        weight_decay: L2 penalty added to the gradient (`g + weight_decay * p`), as in PyTorch.
        clip_norm: if given, gradients are first scaled to this global norm at most.
    """

    slots: tuple[str, ...] = ()

    def __init__(self, lr: float | Schedule, *, weight_decay: float = 0.0, clip_norm: float | None = None):
        if not callable(lr) and not lr >= 0.0:
            raise ValueError(f"learning rate must be >= 0, got {lr!r}")
        self.lr = lr
        self.weight_decay = float(weight_decay)
        self.clip_norm = None if clip_norm is None else float(clip_norm)

    def lr_at(self, step: int) -> float:
        """The learning rate of the update with 0-based index `step`."""
        return float(self.lr(step)) if callable(self.lr) else float(self.lr)

    def init(self, params: Any) -> State:
        """Fresh state for a parameter tree (or a list of arrays)."""
        leaves, _ = flatten(params)
        return {"step": 0, **{s: [self._init_slot(s, np.asarray(p)) for p in leaves] for s in self.slots}}

    def _init_slot(self, name: str, p: np.ndarray) -> np.ndarray:
        return np.zeros_like(p)

    def update(self, params: Any, grads: Any, state: State) -> tuple[Any, State]:
        """One step: return (new params, new state); the arguments are left unchanged."""
        leaves, treedef = flatten(params)
        gleaves = leaves_like(treedef, grads)  # the gradient at the trained places; static ones stay as they are
        if self.clip_norm is not None:
            gleaves = clip_by_global_norm(gleaves, self.clip_norm)
        t = int(state["step"]) + 1
        lr = self.lr_at(t - 1)
        new_leaves, new_slots = [], {s: [] for s in self.slots}
        for i, (p, g) in enumerate(zip(leaves, gleaves, strict=True)):
            p = np.asarray(p)
            slots = {s: state[s][i] for s in self.slots}
            p_new, slots_new = self._update_leaf(p, g, slots, lr, t)
            new_leaves.append(np.asarray(p_new, dtype=p.dtype))
            for s in self.slots:
                new_slots[s].append(np.asarray(slots_new[s], dtype=p.dtype))
        return unflatten(treedef, new_leaves), {"step": t, **new_slots}

    def _update_leaf(self, p: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray],
                     lr: float, t: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        raise NotImplementedError

    def _decayed(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        return g + self.weight_decay * p if self.weight_decay else g

    # -- checkpoints ------------------------------------------------------------------
    def state_to_arrays(self, state: State) -> dict[str, np.ndarray]:
        """Flat named arrays (`step`, `m/0`, `m/1`, ...) for saving in an .npz file."""
        out = {"step": np.asarray(state["step"], dtype=np.int64)}
        for s in self.slots:
            for i, a in enumerate(state[s]):
                out[f"{s}/{i}"] = a
        return out

    def state_from_arrays(self, arrays: dict[str, np.ndarray], n_leaves: int) -> State:
        """The inverse of `state_to_arrays`; `n_leaves` is the number of parameter leaves."""
        try:
            return {"step": int(arrays["step"]), **{s: [np.array(arrays[f"{s}/{i}"]) for i in range(n_leaves)]
                                                    for s in self.slots}}
        except KeyError as exc:
            raise ValueError(f"optimizer state has no entry {exc}: was it saved by {type(self).__name__}?") from None

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"
