"""The minibatch training driver: `params, history = srcgrad.fit(loss, params, data, ...)`.

`fit` is functional: it never modifies the `params` passed in and returns the trained copy.
A step is committed only after the loss, the gradient and the updated parameters are all
finite, so an error leaves the last good parameters and optimizer state (on the error as
`err.params`, and in the last checkpoint).
"""
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from srcgrad.optim import Adam, Optimizer
from srcgrad.errors import CheckpointError
from srcgrad.train.batching import as_dataset, check_batch, epoch_batches
from srcgrad.train.checkpoint import check_writable, damaged, load_checkpoint, save_checkpoint
from srcgrad.train.evaluate import evaluate, named_metrics
from srcgrad.train.history import History
from srcgrad.train.progress import Progress
from srcgrad.train.step import batch_value_and_grad, check_finite
from srcgrad.optim.tree import flatten, normalize, paths, to_json, unflatten


@dataclass
class TrainState:
    """What callbacks see. Set `stop = True` to end training after the current step."""

    epoch: int
    step: int
    batch: int
    loss: float
    params: Any
    history: History
    stop: bool = False
    logs: dict[str, float] = field(default_factory=dict)


def fit(loss: Callable[..., Any], params: Any, data: Any, *, batch_size: int = 32, epochs: int = 1,
        optimizer: Optimizer | None = None, micro_batch_size: int | None = None, shuffle: bool = True,
        seed: int = 0, drop_last: bool = False, val_data: Any = None,
        metrics: Sequence[Callable] | dict[str, Callable] = (), callbacks: Sequence[Any] = (),
        checkpoint: str | os.PathLike | None = None, checkpoint_every: int | None = None,
        resume: bool = False, progress: bool = True, log_every: int | None = None,
        value_and_grad: Callable | None = None, cluster: Any = None) -> tuple[Any, History]:
    """Train `params` to minimize `loss` by minibatch gradient descent.

    Args:
        loss: `loss(params, *batch) -> scalar`, the mean loss over the batch.
        params: nested dicts, lists, tuples, NamedTuples and dataclasses of float arrays; not modified. Entries
            that are not arrays or floats (strings, ints, None, functions) are kept as they are, untrained and
            not stored in checkpoints (a resumed run takes them from `params`).
        data: a tuple of arrays with a common first axis (shuffled and batched here), or an
            iterable / callable yielding batches (tuples of arrays), see `srcgrad.train.batching`.
        batch_size, shuffle, seed, drop_last: batching of a data set. Each epoch's order is
            `default_rng([seed, epoch]).permutation(n)`. A final partial batch is kept unless
            `drop_last`; the epoch loss is the mean over examples (batches weighted by size).
        epochs: total number of epochs (a resumed run counts the ones already done).
        optimizer: an `srcgrad.optim` optimizer; default `Adam(1e-3)`.
        micro_batch_size: compute each batch's gradient over micro-batches of this size
            (the same gradient, to rounding; the memory of one micro-batch).
        val_data: a data set evaluated (loss and metrics) at the end of each epoch.
        metrics: functions `m(params, *batch) -> float` (a mean over the batch), or a dict of them;
            on training data averaged over the epoch's batches (params before each step, as Keras).
        callbacks: callables `cb(state: TrainState)` run after each step, or objects with
            any of `on_step_end(state)`, `on_epoch_end(state)`, `on_train_end(state)`.
        checkpoint: path of an .npz checkpoint, written at each epoch end and, with
            `checkpoint_every=N`, every N steps.
        resume: continue from `checkpoint` if the file exists (bitwise the same result as an
            uninterrupted run); otherwise start from `params`.
        progress: show a tqdm bar per epoch (only when stderr is a terminal).
        log_every: print a `Train Epoch: ...` line every N batches and a summary per epoch.
        value_and_grad: the gradient function `vg(params, *batch) -> (loss, grads)`; by default
            `srcgrad.value_and_grad(loss, wrt=0)`, compiled once here.
        cluster: train data-parallel on Dask: "local" (a LocalCluster of processes), a scheduler
            address ("tcp://host:8786") or a `distributed.Client`; see `srcgrad.distributed`.
            The result equals single-process training to float rounding; History gets "bytes".

    Returns:
        (trained params with the structure and types of `params`, History).

    Raises:
        srcgrad.errors.NonFiniteError: a loss, gradient or update was NaN or infinite; nothing
            from that step is kept, and the error carries `params` and `history` up to it.
        Any other error from a step, and KeyboardInterrupt (Ctrl-C), carry them too: `err.params`.
        srcgrad.errors.CheckpointError: `checkpoint` is in a missing directory (before training), or
            resuming from a file that is damaged or was saved with other settings; the file is left as it is.
        TypeError: `data` does not fit `loss`, e.g. a list [X, Y] where the data set (X, Y) was meant.
    """
    optimizer = Adam(1e-3) if optimizer is None else optimizer
    user_value_and_grad = value_and_grad
    if value_and_grad is None:
        import srcgrad  # here, not at import time: srcgrad/__init__ imports this module

        value_and_grad = srcgrad.value_and_grad(loss, wrt=0)
    _check_positive(batch_size=batch_size, micro_batch_size=micro_batch_size, checkpoint_every=checkpoint_every,
                    log_every=log_every)
    if checkpoint is None and (resume or checkpoint_every):
        raise ValueError("resume and checkpoint_every need a checkpoint file: pass checkpoint='run.npz'")
    if checkpoint is not None:
        check_writable(checkpoint, hint="Nothing was trained.")  # now, not at the end of the first epoch
    leaves, treedef = flatten(params)
    names = paths(treedef)
    leaves = [_as_param(p, name) for p, name in zip(leaves, names, strict=True)]
    metric_fns = named_metrics(metrics)
    if isinstance(val_data, (tuple, list, np.ndarray)) and len(val_data):  # checked now, not after an epoch
        first = next(epoch_batches(val_data, batch_size, shuffle=False, seed=0, epoch=0))
        check_batch(loss, first, val_data, argument="val_data")
    dataset = as_dataset(data)
    n = None if dataset is None else len(dataset[0])
    config = {"batch_size": batch_size, "seed": seed, "shuffle": shuffle, "drop_last": drop_last, "n": n,
              "micro_batch_size": micro_batch_size, "optimizer": type(optimizer).__name__}

    state, history, pos = optimizer.init(leaves), History(), _Position()
    if resume and checkpoint is not None and os.path.exists(checkpoint):
        leaves, state, history, pos = _restore(checkpoint, optimizer, treedef, leaves, config)

    def save() -> None:
        meta = {"n_params": len(leaves), "treedef": to_json(treedef), "config": config, "epoch": pos.epoch,
                "batch": pos.batch, "step": pos.step, "sums": pos.sums, "history": history.to_json(),
                "rng": {"kind": "numpy.random.default_rng([seed, epoch]).permutation", "seed": seed}}
        meta["optimizer"] = {"name": type(optimizer).__name__, "settings": _settings(optimizer)}
        save_checkpoint(checkpoint, leaves, optimizer.state_to_arrays(state), meta)

    engine = None
    if cluster is not None:  # data-parallel: workers compute each batch's gradient and metrics
        from srcgrad.distributed import DataParallel

        engine = DataParallel(cluster, loss, data, value_and_grad=user_value_and_grad, metrics=metric_fns,
                              micro_batch_size=micro_batch_size)
    report = Progress(progress, log_every, epochs)
    t0 = time.perf_counter() - (history.step["time"][-1] if history.step["time"] else 0.0)
    stopped = checked = False
    try:
        while pos.epoch < epochs and not stopped:
            epoch = pos.epoch
            report.start_epoch(epoch, n, done=int(pos.sums.get("size", 0)))
            for batch in epoch_batches(data, batch_size, shuffle=shuffle, seed=seed, epoch=epoch,
                                       drop_last=drop_last):
                if not checked:  # before the first step: a list [X, Y] is a stream of batches, not (X, Y)
                    check_batch(user_value_and_grad or loss, batch, data, batch_size=batch_size, stacklevel=3)
                    checked = True
                if batch.number < pos.batch:
                    continue  # done before the checkpoint we resumed from
                tree = unflatten(treedef, leaves)
                if engine is None:
                    value, grads = batch_value_and_grad(value_and_grad, tree, leaves, batch, micro_batch_size)
                else:
                    value, grads = engine.step(leaves, treedef, batch)
                step = pos.step + 1
                check_finite(value, grads, names, step=step, epoch=epoch, batch=batch)
                lr = optimizer.lr_at(int(state["step"]))
                new_leaves, new_state = optimizer.update(leaves, grads, state)
                check_finite(value, new_leaves, names, step=step, epoch=epoch, batch=batch, what="updated value")
                logs = ({name: float(fn(tree, *batch.take())) for name, fn in metric_fns.items()} if engine is None
                        else engine.last_logs)
                # Commit the step.
                leaves, state = new_leaves, new_state
                pos.step, pos.batch = step, batch.number + 1
                pos.add(loss=value * batch.size, size=batch.size, **{k: v * batch.size for k, v in logs.items()})
                history.record_step(loss=value, lr=lr, time=time.perf_counter() - t0, size=batch.size,
                                    **({} if engine is None else {"bytes": engine.last_bytes}))
                report.step(batch.number, int(pos.sums["size"]), batch.size, value)
                if checkpoint is not None and checkpoint_every and step % checkpoint_every == 0:
                    save()
                info = TrainState(epoch, step, batch.number, value, unflatten(treedef, leaves), history, logs=logs)
                _call(callbacks, "on_step_end", info, plain=True)
                if info.stop:
                    stopped = True
                    break
            else:
                logs = _end_epoch(pos, loss, unflatten(treedef, leaves), val_data, metric_fns, batch_size)
                history.record_epoch(**logs, time=time.perf_counter() - t0, step=pos.step)
                report.end_epoch(logs)
                pos.epoch, pos.batch, pos.sums = epoch + 1, 0, {}
                if checkpoint is not None:
                    save()
                info = TrainState(epoch, pos.step, pos.batch, logs["loss"], unflatten(treedef, leaves), history,
                                  logs=logs)
                _call(callbacks, "on_epoch_end", info)
                stopped = info.stop
    except (Exception, KeyboardInterrupt) as err:  # Ctrl-C too: the progress made is not lost
        err.params, err.history = unflatten(treedef, leaves), history
        if isinstance(err, KeyboardInterrupt) and hasattr(err, "add_note"):
            err.add_note(f"srcgrad.fit was interrupted after step {pos.step} (epoch {pos.epoch + 1}): the parameters "
                         "reached are on the exception, `except KeyboardInterrupt as err: params = err.params`.")
        raise
    finally:
        report.close()
        if engine is not None:
            engine.close()
    final = unflatten(treedef, leaves)
    _call(callbacks, "on_train_end", TrainState(pos.epoch, pos.step, pos.batch, float("nan"), final, history))
    return final, history


@dataclass
class _Position:
    """Where training is: epoch, batches done in it, steps done, and the epoch's running sums."""

    epoch: int = 0
    batch: int = 0
    step: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, **values: float) -> None:
        for k, v in values.items():
            self.sums[k] = self.sums.get(k, 0.0) + v


def _end_epoch(pos: _Position, loss: Callable, params: Any, val_data: Any, metric_fns: dict[str, Callable],
               batch_size: int) -> dict[str, float]:
    size = pos.sums.get("size", 0.0)
    if not size:
        raise ValueError(f"epoch {pos.epoch + 1} had no batches (drop_last with fewer examples than batch_size?)")
    logs = {k: v / size for k, v in pos.sums.items() if k != "size"}
    if val_data is not None:
        logs["val_loss"] = evaluate(loss, params, val_data, batch_size, argument="val_data")
        for name, fn in metric_fns.items():
            logs[f"val_{name}"] = evaluate(fn, params, val_data, batch_size, argument="val_data")
    return logs


def _restore(path: Any, optimizer: Optimizer, treedef: Any, leaves: list[np.ndarray],
             config: dict[str, Any]) -> tuple[list[np.ndarray], dict, History, _Position]:
    saved, opt_arrays, meta = load_checkpoint(path)
    keep = "Nothing was trained and the file was left as it is."
    missing = [k for k in ("treedef", "config", "epoch", "batch", "step", "sums", "history") if k not in meta]
    if missing or "step" not in opt_arrays:
        raise damaged(path, f"its 'meta' record lacks {', '.join(missing)}" if missing else "opt/step is missing")
    if normalize(meta["treedef"]) != normalize(treedef):
        raise CheckpointError(f"cannot resume from checkpoint {path}: its parameter structure differs from `params`",
                              hint=f"Pass the `params` it was trained from, or another checkpoint path. {keep}")
    for name, old, new in zip(paths(treedef), saved, leaves, strict=True):
        if old.shape != new.shape or old.dtype != new.dtype:
            raise CheckpointError(f"cannot resume from checkpoint {path}: {name} is {old.dtype}{list(old.shape)} "
                                  f"there, {new.dtype}{list(new.shape)} here",
                                  hint=f"Pass the `params` it was trained from, or another checkpoint path. {keep}")
    changed = {k: (meta["config"].get(k), v) for k, v in config.items() if meta["config"].get(k) != v}
    if changed:
        detail = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changed.items())
        raise CheckpointError(f"cannot resume from checkpoint {path} exactly: it was saved with other settings "
                              f"({detail})",
                              hint="Pass the settings it was saved with to continue it, or another checkpoint path "
                                   "(or resume=False, which replaces the file at the first save) to start afresh. "
                                   + keep)
    slots = sorted({k.rpartition("/")[0] for k in opt_arrays if k != "step"})
    if slots != sorted(optimizer.slots):
        raise _optimizer_mismatch(path, meta, optimizer, slots)
    there, here = (meta.get("optimizer") or {}).get("settings"), _settings(optimizer)
    if isinstance(there, dict) and there != here:  # same state, other hyperparameters: not the run it continues
        name = type(optimizer).__name__
        keys = sorted(k for k in here.keys() | there.keys() if there.get(k) != here.get(k))
        old_ = f"{name}({', '.join(f'{k}={there.get(k)!r}' for k in keys)})"
        raise CheckpointError(
            f"cannot resume from checkpoint {path} exactly: it was saved with {old_} and this run has "
            f"{name}({', '.join(f'{k}={here.get(k)!r}' for k in keys)})",
            hint=f"Pass the optimizer it was saved with, {old_}, to continue it, or another checkpoint path (or "
                 "resume=False, which replaces the file at the first save) to start afresh. " + keep)
    state = optimizer.state_from_arrays(opt_arrays, len(saved))
    pos = _Position(meta["epoch"], meta["batch"], meta["step"], meta["sums"])
    return saved, state, History.from_json(meta["history"]), pos


def _settings(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer's hyperparameters as JSON data (a schedule by its name), for checkpoints and messages."""
    out = {}
    for key, value in vars(optimizer).items():
        if key.startswith("_") or key == "slots":
            continue
        if callable(value):
            value = f"<schedule {getattr(value, '__qualname__', type(value).__name__)}>"
        out[key] = json.loads(json.dumps(value, default=repr))
    return out


def _optimizer_mismatch(path: Any, meta: dict[str, Any], optimizer: Optimizer, slots: list[str]) -> CheckpointError:
    """The error for a checkpoint whose optimizer state has other slots than `optimizer` keeps: say which setting
    differs (older checkpoints do not record the settings: then which state is missing)."""
    name, here = type(optimizer).__name__, _settings(optimizer)
    missing = [s for s in optimizer.slots if s not in slots]
    extra = [s for s in slots if s not in optimizer.slots]
    state = (f"has no {', '.join(missing)} buffers to continue from" if missing else
             f"has {', '.join(extra)} buffers that {name} with these settings does not keep")
    saved = meta.get("optimizer") or {}
    there = saved.get("settings")
    if isinstance(there, dict):
        keys = [k for k in here if k in there and there[k] != here[k]] or [k for k in here if k not in there]
        old = f"{saved.get('name', name)}({', '.join(f'{k}={there.get(k)!r}' for k in keys)})"
        new = f"{name}({', '.join(f'{k}={here[k]!r}' for k in keys)})"
        message = (f"cannot resume from checkpoint {path}: it was saved with {old} and this run has {new}, "
                   f"so its optimizer state {state}")
        hint = f"To resume it, pass the optimizer it was saved with, {old}."
    else:
        message = (f"cannot resume from checkpoint {path}: it was saved with {name} settings other than this run's "
                   f"{name}({', '.join(f'{k}={v!r}' for k, v in here.items())}): its optimizer state {state}")
        hint = "To resume it, pass the optimizer settings it was saved with."
    return CheckpointError(message, hint=f"{hint} To train with this optimizer instead, start afresh: another "
                                         "checkpoint path, or resume=False (which replaces the file at the first "
                                         "save). Nothing was trained and the file was left as it is.")


def _as_param(p: Any, name: str) -> np.ndarray:
    a = np.array(p)  # a copy: fit never writes into the caller's arrays
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"{name} has dtype {a.dtype}; parameters must be floating-point arrays")
    return a


def _check_positive(**values: int | None) -> None:
    for name, v in values.items():
        if v is not None and (not isinstance(v, (int, np.integer)) or v < 1):
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


def _call(callbacks: Sequence[Any], method: str, info: TrainState, plain: bool = False) -> None:
    for cb in callbacks:
        hook = getattr(cb, method, None)
        if hook is not None:
            hook(info)
        elif plain and callable(cb) and not any(hasattr(cb, m) for m in ("on_step_end", "on_epoch_end",
                                                                           "on_train_end")):
            cb(info)
