"""Checkpoint files: one .npz holding parameters, optimizer state and a JSON `meta` record.

Written atomically (a temporary file in the same directory, then os.replace), so a run
killed at any moment leaves either the previous checkpoint or the new one, never half a file.
Read with `allow_pickle=False`: the structure of the parameter tree, the position in training
(epoch, batch within it, step), the shuffling seed (each epoch's order is derived from
(seed, epoch), so that is the whole RNG state) and the history live in `meta` as JSON text.
"""
import json
import os
import tempfile
from typing import Any

import numpy as np

FORMAT = 1


def save_checkpoint(path: str | os.PathLike, leaves: list[np.ndarray], opt_arrays: dict[str, np.ndarray],
                    meta: dict[str, Any]) -> None:
    """Atomically write the parameter leaves, optimizer arrays and `meta` to `path`."""
    arrays = {f"param/{i}": leaf for i, leaf in enumerate(leaves)}
    arrays.update({f"opt/{name}": a for name, a in opt_arrays.items()})
    arrays["meta"] = np.array(json.dumps({"format": FORMAT, **meta}))
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ckpt-", suffix=".npz.tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(path: str | os.PathLike) -> tuple[list[np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Read (parameter leaves, optimizer arrays, meta) from a file written by `save_checkpoint`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown checkpoint format {meta.get('format')!r}")
        leaves = [np.array(data[f"param/{i}"]) for i in range(meta["n_params"])]
        opt = {k.removeprefix("opt/"): np.array(data[k]) for k in data.files if k.startswith("opt/")}
    return leaves, opt, meta
