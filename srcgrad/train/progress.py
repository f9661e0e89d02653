"""Progress reporting: a tqdm bar per epoch (loss, examples/s) and plain log lines.

The bar goes to stderr and only when stderr is a terminal, so logs and CI output stay clean;
log lines (`log_every=N`) go to stdout in the style of PyTorch's examples:

    Train Epoch: 1 [640/1797 (36%)]  Loss: 0.412306
"""
import io
import os
import sys
import time
from typing import Any

from tqdm.auto import tqdm


class Progress:
    """Reports one training run; `show_bar` is the user's `progress=` flag."""

    def __init__(self, show_bar: bool, log_every: int | None, epochs: int):
        self.show_bar = bool(show_bar) and _isatty(sys.stderr)
        self.log_every = log_every
        self.epochs = epochs
        self.bar: Any = None

    def start_epoch(self, epoch: int, total: int | None, done: int = 0) -> None:
        self.epoch, self.total, self.start = epoch, total, time.perf_counter()
        self.seen = 0  # examples processed in this session (for the rate)
        if self.show_bar:
            # Some terminals (e.g. under `script`) report a 0x0 size, which makes tqdm print nothing.
            width = {"dynamic_ncols": True} if _columns(sys.stderr) > 0 else {"ncols": 100, "nrows": 20}
            self.bar = tqdm(total=total, initial=done, desc=f"Epoch {epoch + 1}/{self.epochs}", unit="ex",
                            file=sys.stderr, leave=True, **width)

    def step(self, batch_number: int, done: int, size: int, loss: float) -> None:
        """After a batch: `done` examples of this epoch are through, `size` of them in this batch."""
        self.seen += size
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            self.bar.update(size)
        if self.log_every and (batch_number + 1) % self.log_every == 0:
            where = f"{done}/{self.total} ({100.0 * done / self.total:.0f}%)" if self.total else f"{done}"
            self._write(f"Train Epoch: {self.epoch + 1} [{where}]  Loss: {loss:.6f}")

    def end_epoch(self, values: dict[str, float]) -> None:
        elapsed = time.perf_counter() - self.start
        rate = self.seen / elapsed if elapsed > 0 else float("inf")
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in values.items()}, refresh=True)
            self.bar.close()
            self.bar = None
        if self.log_every:
            parts = "  ".join(f"{k}: {v:.6f}" for k, v in values.items())
            self._write(f"Epoch {self.epoch + 1}/{self.epochs}  {parts}  ({elapsed:.2f} s, {rate:.0f} examples/s)")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _write(self, line: str) -> None:
        if self.bar is not None:
            tqdm.write(line, file=sys.stdout)
        else:
            print(line, flush=True)


def _columns(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return 0


def _isatty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
