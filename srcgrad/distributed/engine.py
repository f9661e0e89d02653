"""The driver side of synchronous data-parallel SGD on Dask distributed.

A data set's examples are split once into contiguous shards, one per worker, and scattered
there. Each step, a global batch (the same batches as single-process `fit`) is split by
example: each shard's task gets the batch's rows that live in it, computes the mean loss and
gradient over them with srcgrad-generated code, and sends them back. The driver combines them
weighted by example counts, which is the full-batch mean-loss gradient up to float rounding,
and applies the optimizer itself. Only the parameters (and row numbers) go out each step, only
gradients come back.

Tasks are per shard, not per worker, and combined in shard order, so a step gives bitwise the
same result whichever worker runs which shard. If a worker dies, its shards are scattered
again (from the driver's copy of the data) to the workers still alive and the step is retried.
"""
import contextlib
import difflib
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from srcgrad.distributed.shipping import collect_sources
from srcgrad.distributed.worker import WorkerImportError, forget_program, make_blob, step_task
from srcgrad.errors import SrcgradError
from srcgrad.train.batching import Batch, as_dataset

log = logging.getLogger("srcgrad.distributed")

CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler and see a worker before ClusterError
MAX_RETRIES = 3  # times one step is retried after losing workers


class ClusterError(SrcgradError):
    """The Dask cluster cannot be reached, has no workers, or lost too many of them."""


@dataclass
class _Shard:
    start: int
    stop: int
    worker: str
    future: Any


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError("fit(cluster=...) needs Dask distributed: pip install 'srcgrad[distributed]'") from None
    return distributed


def connect(cluster: Any, timeout: float | None = None) -> tuple[Any, Callable[[], None]]:
    """A `distributed.Client` for `cluster` ("local", an address, a Client or a cluster object) and its closer."""
    distributed = _import_distributed()
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if isinstance(cluster, distributed.Client):
        return cluster, lambda: None
    local = None
    try:
        if isinstance(cluster, str) and cluster == "local":
            local = distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                             dashboard_address=None, host="127.0.0.1",
                                             silence_logs=logging.CRITICAL)
            target: Any = local
        elif isinstance(cluster, str) or hasattr(cluster, "scheduler_address"):
            if isinstance(cluster, str):
                _check_address(cluster)
            target = cluster
        else:
            raise TypeError(f"cluster must be 'local', a scheduler address, a distributed.Client or a Dask "
                            f"cluster object, not {cluster!r}")
        client = distributed.Client(target, timeout=timeout, set_as_default=False)
    except (TypeError, ClusterError):
        raise
    except Exception as exc:
        _close_half_built(exc, distributed)
        if local is not None:
            local.close()
        where = cluster if isinstance(cluster, str) else getattr(cluster, "scheduler_address", cluster)
        raise ClusterError(f"cannot reach the Dask scheduler at {where} within {timeout:g} s "
                           f"({type(exc).__name__}: {exc})",
                           hint="Start one with `dask scheduler` and `dask worker ADDRESS`, or pass "
                                "cluster='local'. Nothing was trained and no checkpoint was written.") from exc

    def close() -> None:
        client.close()
        if local is not None:
            local.close()

    return client, close


def _check_address(address: str) -> None:
    """Refuse a malformed tcp/tls scheduler address now (a typo of 'local', a missing port), with what to pass."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except Exception as exc:  # ValueError: missing port number, bad port...
        guess = difflib.get_close_matches(address, ["local"], n=1, cutoff=0.6)
        raise ClusterError(f"cluster={address!r} is not a Dask scheduler address ({exc})",
                           hint=("Did you mean cluster='local'? " if guess else "") +
                                "Pass cluster='local' for a cluster of processes on this machine, the address of a "
                                "running scheduler with its port, e.g. 'tcp://10.0.0.5:8786', or a distributed.Client. "
                                "Nothing was trained and no checkpoint was written.") from None


def _close_half_built(exc: BaseException, distributed: Any) -> None:
    """Close the Client whose constructor raised `exc`: it keeps an event loop, and left to `__del__` it makes
    the process wait twice the connect timeout at exit, then print a TimeoutError traceback."""
    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, distributed.Client):
            with contextlib.suppress(Exception):
                client.close(timeout=5)
            return
        tb = tb.tb_next


def _lost_scheduler(address: str, where: str) -> ClusterError:
    return ClusterError(f"lost the Dask scheduler at {address} during {where}: the connection to it closed and it "
                        "no longer answers (stopped or killed, or its machine or the network is down)",
                        hint="The workers cannot go on without it. The parameters reached are on err.params, and "
                             "checkpoints written so far are intact: start a scheduler and workers again and rerun "
                             "with resume=True, or pass cluster='local'.")


def _missing_module(exc: ImportError, roots: list[Any]) -> ClusterError:
    """The error for a worker that cannot import a module of the user's that the loss needs."""
    name = exc.name or str(exc)
    top = name.split(".")[0]
    module = sys.modules.get(name) or sys.modules.get(top)
    file = getattr(module, "__file__", None)
    users = [getattr(r, "__qualname__", repr(r)) for r in roots if r is not None
             and (getattr(r, "__module__", "") or "").split(".")[0] == top]
    what = f"where {users[0]} is defined" if users else "which the loss uses"
    where = f" ({file} here)" if file else ""
    top_module = sys.modules.get(top)
    top_file = getattr(top_module, "__file__", None) or file
    package = top_file is not None and os.path.basename(top_file) == "__init__.py"
    root = os.path.dirname(os.path.dirname(top_file) if package else top_file) if top_file else None
    ways = ["install it on every worker"]
    if root:
        ways.append(f"add {root} to the workers' Python path (PYTHONPATH, or start `dask worker` in that directory)")
    if file and not package:
        ways.append(f"send it before fit with client.upload_file({file!r})")
    ways.append(f"have it sent by value: cloudpickle.register_pickle_by_value({top}) before fit")
    return ClusterError(
        f"the Dask workers cannot import module {name!r}, {what}{where}: {exc}",
        hint="Functions in your own modules are sent to the workers by reference, so the workers must be able to "
             f"import their module too. To fix it: {'; or '.join(ways)}. Nothing was trained in this step.")


class DataParallel:
    """Computes each batch's loss, gradient and metrics on a Dask cluster; see the module doc.

    `step(leaves, treedef, batch)` returns (mean loss, gradient leaves) like
    `srcgrad.train.step.batch_value_and_grad`; the batch's metrics are then in `last_logs`
    and the bytes of arrays sent and received in `last_bytes`.
    """

    def __init__(self, cluster: Any, loss: Callable, data: Any, *, value_and_grad: Callable | None = None,
                 metrics: dict[str, Callable] | None = None, micro_batch_size: int | None = None,
                 timeout: float | None = None):
        self.timeout = CONNECT_TIMEOUT if timeout is None else timeout
        self.metrics = dict(metrics or {})
        self.micro_batch_size = micro_batch_size
        self.last_logs: dict[str, float] = {}
        self.last_bytes = 0
        self.retries = 0
        self.client, self._close = connect(cluster, self.timeout)
        self._roots = [loss, value_and_grad, *self.metrics.values()]
        self.key = f"srcgrad-{uuid.uuid4().hex}"
        self._steps = 0
        try:
            self._wait_for_workers()
            roots = [loss, value_and_grad, *self.metrics.values()]
            self._blob = make_blob(loss, value_and_grad, self.metrics, *collect_sources(r for r in roots if r))
            self._program = self._scatter(self._blob, broadcast=True)
            self.dataset = as_dataset(data)
            self.shards = self._place_shards() if self.dataset is not None else []
            self.scattered_bytes = sum(a.nbytes for a in self.dataset) if self.dataset is not None else 0
            log.info("srcgrad: data-parallel training on %d Dask workers at %s; %d bytes of data scattered once "
                     "in %d shards", len(self._workers()), self.client.scheduler.address, self.scattered_bytes,
                     len(self.shards))
        except BaseException:
            self.close()
            raise

    # -- placement ----------------------------------------------------------------------
    def _workers(self) -> list[str]:
        return sorted(self.client.scheduler_info(n_workers=-1)["workers"])

    def _wait_for_workers(self) -> list[str]:
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except Exception as exc:
            raise ClusterError(f"the Dask cluster at {self.client.scheduler.address} has no workers "
                               f"(waited {self.timeout:g} s)") from exc
        return self._workers()

    def _scatter(self, value: Any, worker: str | None = None, broadcast: bool = False) -> Any:
        return self.client.scatter([value], workers=None if worker is None else [worker], broadcast=broadcast,
                                   hash=False)[0]

    def _place_shards(self) -> list[_Shard]:
        workers = self._workers()
        n = len(self.dataset[0])
        bounds = np.linspace(0, n, min(len(workers), n) + 1).round().astype(int)
        return [self._new_shard(int(a), int(b), w) for a, b, w in zip(bounds[:-1], bounds[1:], workers)]

    def _new_shard(self, start: int, stop: int, worker: str) -> _Shard:
        arrays = tuple(a[start:stop] for a in self.dataset)
        return _Shard(start, stop, worker, self._scatter((start, arrays), worker))

    def _recover(self) -> None:
        """After a lost worker: scatter its shards (and the program) again to the workers alive."""
        self.retries += 1
        deadline = time.monotonic() + self.timeout
        alive = []
        while time.monotonic() < deadline and self.client.status == "running":
            try:
                alive = self._workers()
            except Exception:
                alive = []
            if alive:
                break
            time.sleep(0.2)
        if self.client.status != "running":
            raise _lost_scheduler(self.client.scheduler.address, f"step {self._steps + 1}")
        if not alive:
            raise ClusterError(f"the Dask cluster has no workers left (waited {self.timeout:g} s)",
                               hint="Start workers again (`dask worker ADDRESS`); checkpoints written so far are "
                                    "intact and resume=True continues from the last one.")
        if self._program.status != "finished":
            self._program = self._scatter(self._blob, broadcast=True)
        load = {w: 0 for w in alive}
        for s in self.shards:
            if s.worker in load and s.future.status == "finished":
                load[s.worker] += 1
        for i, s in enumerate(self.shards):
            if s.worker not in load or s.future.status != "finished":
                worker = min(load, key=lambda w: (load[w], w))
                load[worker] += 1
                self.shards[i] = self._new_shard(s.start, s.stop, worker)
                log.warning("srcgrad: examples %d..%d moved to worker %s", s.start, s.stop - 1, worker)

    # -- steps ----------------------------------------------------------------------------
    def step(self, leaves: list[np.ndarray], treedef: Any, batch: Batch) -> tuple[float, list[np.ndarray]]:
        """The batch's mean loss and gradient leaves, retried on the remaining workers if one dies."""
        distributed = _import_distributed()
        for attempt in range(MAX_RETRIES + 1):
            futures: list[Any] = []
            try:
                futures, sizes, sent = self._submit(leaves, treedef, batch, attempt)
                results = [f.result() for f in futures]
                for f in futures:
                    f.release()  # now, so a worker lost later is not asked to recompute them
            except Exception as exc:
                if isinstance(exc, WorkerImportError):
                    raise _missing_module(exc, self._roots) from None  # the worker's traceback adds nothing
                if any(f.status == "error" for f in futures) and not isinstance(exc, distributed.KilledWorker):
                    raise  # the user's code failed on a worker: its own exception, as without a cluster
                for f in futures:
                    f.cancel()
                where = f"step {self._steps + 1}"
                if attempt == MAX_RETRIES:
                    raise ClusterError(f"{where} failed {attempt + 1} times on the Dask cluster: "
                                       f"{type(exc).__name__}: {exc}") from exc
                if self.client.status != "running":  # "connecting": it lost the scheduler and is trying again
                    raise _lost_scheduler(self.client.scheduler.address, where) from exc
                log.warning("srcgrad: a worker was lost during %s (%s); retrying", where, type(exc).__name__)
                try:
                    self._recover()
                except ClusterError:
                    raise
                except Exception as exc2:
                    raise ClusterError(f"the Dask cluster failed during {where}: {type(exc2).__name__}: {exc2}",
                                       hint="Checkpoints written so far are intact: resume=True continues.") from exc2
                continue
            break
        self._steps += 1
        total = sum(sizes)
        value, grads, logs, received = 0.0, None, dict.fromkeys(self.metrics, 0.0), 0
        for (v, g, m), size in zip(results, sizes, strict=True):
            w = size / total
            value += w * v
            grads = [w * x for x in g] if grads is None else [a + w * x for a, x in zip(grads, g, strict=True)]
            for name in logs:
                logs[name] += w * m[name]
            received += 8 * (1 + len(m)) + sum(x.nbytes for x in g)
        self.last_logs, self.last_bytes = logs, sent + received
        return value, grads

    def _submit(self, leaves: list[np.ndarray], treedef: Any, batch: Batch,
                attempt: int) -> tuple[list[Any], list[int], int]:
        params_bytes = sum(p.nbytes for p in leaves)
        common = dict(pure=False, key=None)
        futures, sizes, sent = [], [], 0
        if self.shards and batch.indices is not None:
            starts = np.array([s.start for s in self.shards])
            owner = np.searchsorted(starts, batch.indices, side="right") - 1
            for i, shard in enumerate(self.shards):
                rows = batch.indices[owner == i]
                if len(rows) == 0:
                    continue
                common["key"] = f"{self.key}-step{self._steps + 1}-shard{i}-try{attempt}"
                futures.append(self.client.submit(
                    step_task, self.key, self._program, shard.future, rows, leaves, treedef, self.micro_batch_size,
                    bool(self.metrics), workers=[shard.worker], allow_other_workers=False, **common))
                sizes.append(len(rows))
                sent += params_bytes + rows.nbytes
        else:  # a batch source: the batch is on the driver, so each share travels with its task
            arrays = batch.take()
            parts = max(1, min(len(self._workers()), batch.size))
            bounds = np.linspace(0, batch.size, parts + 1).round().astype(int)
            for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
                share = tuple(x[a:b] for x in arrays)
                common["key"] = f"{self.key}-step{self._steps + 1}-part{i}-try{attempt}"
                futures.append(self.client.submit(step_task, self.key, self._program, None, share, leaves, treedef,
                                                  self.micro_batch_size, bool(self.metrics), **common))
                sizes.append(int(b - a))
                sent += params_bytes + sum(np.asarray(x).nbytes for x in share)
        return futures, sizes, sent

    def close(self) -> None:
        """Release the scattered data and, for a cluster started here, shut it down."""
        futures = [s.future for s in getattr(self, "shards", [])] + [getattr(self, "_program", None)]
        self.shards, self._program = [], None
        lost = self.client.status != "running"
        try:
            if not lost:
                try:
                    self.client.cancel([f for f in futures if f is not None])
                    self.client.run(forget_program, self.key)
                except Exception:
                    pass
        finally:
            # Closing a client that is trying to reach a lost scheduler cancels that attempt, which Dask logs
            # as an error with a traceback: noise after our ClusterError, which says what happened.
            quiet = _DropCancelled() if lost else None
            client_log = logging.getLogger("distributed.client")
            if quiet is not None:
                client_log.addFilter(quiet)
            try:
                self._close()
            finally:
                if quiet is not None:
                    client_log.removeFilter(quiet)


class _DropCancelled(logging.Filter):
    """Drops log records of a cancelled asyncio task (Dask's reconnection, cancelled by closing the client)."""

    def filter(self, record: logging.LogRecord) -> bool:
        import asyncio

        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))

