"""Checkpoint files: one .npz holding parameters, optimizer state and a JSON `meta` record.

Written atomically (a temporary file in the same directory, then os.replace), so a run
killed at any moment leaves either the previous checkpoint or the new one, never half a file.
The temporary file is named after the checkpoint and the writing process, `.run.npz.<pid>.<random>.tmp`;
a save removes those left by writers that are no longer running (a process killed mid-write).
Read with `allow_pickle=False`: the structure of the parameter tree, the position in training
(epoch, batch within it, step), the shuffling seed (each epoch's order is derived from
(seed, epoch), so that is the whole RNG state) and the history live in `meta` as JSON text.
A file that cannot be read back (cut short, a changed byte, not srcgrad's) raises CheckpointError
naming it; it is never loaded any other way.
"""
import json
import os
import tempfile
import time
from typing import Any

import numpy as np

from srcgrad.errors import CheckpointError

FORMAT = 1


def check_writable(path: str | os.PathLike, hint: str = "") -> None:
    """Raise CheckpointError if a checkpoint could not be written at `path`: its directory is missing or
    read-only, or `path` is a directory. `fit` calls this before training, so the run does not fail later."""
    target = os.fspath(path)
    given = os.path.dirname(target) or "."
    directory = os.path.dirname(os.path.abspath(target))
    shown = repr(given) + ("" if os.path.abspath(given) == given else f" ({directory})")
    if os.path.isdir(target):
        raise CheckpointError(f"checkpoint={target!r} is a directory, not a file",
                              hint=f"Pass a file path, e.g. checkpoint={os.path.join(target, 'run.npz')!r}. {hint}")
    if not os.path.isdir(directory):
        what = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise CheckpointError(f"checkpoint={target!r}: the directory {shown} {what}",
                              hint=f"Create it first, os.makedirs({given!r}, exist_ok=True), or pass a path in an "
                                   f"existing directory. {hint}".rstrip())
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CheckpointError(f"checkpoint={target!r}: the directory {shown} is not writable",
                              hint=f"Pass a path in a directory you can write to. {hint}".rstrip())


def save_checkpoint(path: str | os.PathLike, leaves: list[np.ndarray], opt_arrays: dict[str, np.ndarray],
                    meta: dict[str, Any]) -> None:
    """Atomically write the parameter leaves, optimizer arrays and `meta` to `path`."""
    arrays = {f"param/{i}": leaf for i, leaf in enumerate(leaves)}
    arrays.update({f"opt/{name}": a for name, a in opt_arrays.items()})
    arrays["meta"] = np.array(json.dumps({"format": FORMAT, **meta}))
    check_writable(path, hint="The previous checkpoint, if any, is unchanged.")
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_temporary_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=directory)
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


def _temporary_prefix(path: str | os.PathLike) -> str:
    return f".{os.path.basename(os.fspath(path))}."


def remove_stale_temporaries(path: str | os.PathLike) -> list[str]:
    """Delete the temporary files of `path` left by writers no longer running; return their paths.

    A writer killed between creating its temporary file and renaming it (SIGKILL, power loss) leaves
    the file behind; the checkpoint itself is intact. Files of a writer still running are kept.
    """
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temporary_prefix(path)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        tmp = os.path.join(directory, name)
        if pid.isdigit() and not _writer_running(int(pid), tmp):
            try:
                os.unlink(tmp)
                removed.append(tmp)
            except OSError:
                pass
    return removed


def _writer_running(pid: int, tmp: str) -> bool:
    """Whether the process that made temporary file `tmp` may still be writing it."""
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows: go by age instead
        try:
            return time.time() - os.path.getmtime(tmp) < 24 * 3600
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: running, as another user
        return True
    return True


def load_checkpoint(path: str | os.PathLike) -> tuple[list[np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Read (parameter leaves, optimizer arrays, meta) from a file written by `save_checkpoint`.

    Raises CheckpointError naming the file if it is damaged, not a srcgrad checkpoint, or of another format;
    a missing or unreadable file raises the OSError as is.
    """
    stage = "open"
    try:
        data = np.load(path, allow_pickle=False)
        stage = "read"
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise _Unreadable("it is a single .npy array, not an .npz archive")
        with data:
            if "meta" not in data.files:
                if not any(f.startswith(("param/", "opt/")) for f in data.files):
                    shown = ", ".join(data.files[:5]) + (", ..." if len(data.files) > 5 else "")
                    raise CheckpointError(
                        f"{os.fspath(path)} is not a srcgrad checkpoint: an .npz archive without srcgrad's "
                        f"'meta' record (it holds: {shown or 'nothing'})",
                        hint="fit(checkpoint=...) reads only files it wrote. Pass another path, or move this file "
                             "away. Nothing was trained and the file was left as it is.")
                raise _Unreadable("its 'meta' record is missing")
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict):
                raise _Unreadable("its 'meta' record is not a JSON object")
            if meta.get("format") != FORMAT:
                raise CheckpointError(
                    f"checkpoint {os.fspath(path)} has format {meta.get('format')!r}; this srcgrad reads format "
                    f"{FORMAT}", hint="It was written by another version of srcgrad: resume with that version, or "
                                      "pass a new checkpoint path. The file was left as it is.")
            if not isinstance(meta.get("n_params"), int):
                raise _Unreadable("its 'meta' record does not say how many parameters it holds")
            n = int(meta["n_params"])
            problem = _check_names(data.files, n)
            if problem:
                raise _Unreadable(problem)
            leaves = [np.array(data[f"param/{i}"]) for i in range(n)]
            opt = {k.removeprefix("opt/"): np.array(data[k]) for k in data.files if k.startswith("opt/")}
    except (FileNotFoundError, PermissionError, IsADirectoryError, CheckpointError):
        raise
    except Exception as exc:  # zipfile.BadZipFile, EOFError, ValueError, KeyError, json and zlib errors...
        raise damaged(path, _detail(path, exc, stage)) from None  # from None: NumPy's advice is to unpickle
    return leaves, opt, meta


def _check_names(files: list[str], n: int) -> str:
    """What is wrong with the entry names of an archive holding `n` parameters ('' if nothing): every entry
    is read, so a name changed on disk must not make one silently disappear."""
    params = {f"param/{i}" for i in range(n)}
    slots: dict[str, set[str]] = {}
    for name in files:
        if name == "meta" or name in params or name == "opt/step":
            continue
        slot, _, index = name.removeprefix("opt/").rpartition("/")
        if not name.startswith("opt/") or not slot or not index.isdigit() or int(index) >= n:
            return f"an entry has an unexpected name, {name!r}"
        slots.setdefault(slot, set()).add(index)
    missing = sorted(params - set(files))
    missing += [f"opt/{slot}/{i}" for slot, got in slots.items() for i in range(n) if str(i) not in got]
    return f"entries are missing: {', '.join(missing[:3])}" if missing else ""


class _Unreadable(Exception):
    """The archive opened but its content is not what save_checkpoint writes."""


def _detail(path: str | os.PathLike, exc: Exception, stage: str) -> str:
    """A short, safe description of why `path` could not be read."""
    try:
        if os.path.getsize(path) == 0:
            return "the file is empty"
    except OSError:
        pass
    text = str(exc)
    if isinstance(exc, _Unreadable):
        return text
    if "pickle" in text:  # NumPy fell back to unpickling, or found object arrays: never follow that advice
        return "it is not a NumPy .npz archive" if stage == "open" else "an entry holds Python objects"
    if text == "File is not a zip file":
        return "it is not a complete .npz archive: cut short, or never one"
    if isinstance(exc, EOFError):
        return "the file ends early"
    if isinstance(exc, KeyError):
        return f"an entry is missing: {exc.args[0] if exc.args else exc}"
    return f"{type(exc).__name__}: {text}"[:200]


def damaged(path: str | os.PathLike, detail: str) -> CheckpointError:
    """The error for a checkpoint file that exists but cannot be used as it is."""
    return CheckpointError(
        f"checkpoint {os.fspath(path)} is damaged and cannot be read ({detail})",
        hint="Nothing was trained and the file was left as it is. srcgrad writes checkpoints whole or not at all, "
             "so it was cut short or changed afterwards (a full disk, a copy that did not finish, a storage error). "
             "To go on: put back an earlier copy of it if you have one, and resume from that; or move it away (or "
             "delete it) and run again, which starts afresh from `params`; or pass resume=False, which starts "
             "from `params` and replaces the file at the first save.")
