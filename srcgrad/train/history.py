"""What a training run recorded: per-step and per-epoch series, JSON-serializable for checkpoints.

>>> h = History()
>>> h.record_step(loss=0.5, lr=0.1, time=0.01, size=32)
>>> h.record_epoch(loss=0.5, val_loss=0.6)
>>> h.epoch["val_loss"], History.from_json(h.to_json()).step["loss"]
([0.6], [0.5])
"""
import json
from dataclasses import dataclass, field


@dataclass
class History:
    """Loss, learning rate and timing per step; loss and metrics per epoch (Keras-style names).

    Attributes:
        step: series over optimizer steps: "loss" (the batch's mean loss), "lr", "time"
            (seconds since training started, summed over resumed runs) and "size" (examples).
        epoch: series over epochs: "loss" (mean over the epoch's examples), each training
            metric by name, "val_loss" and "val_<metric>" when validation data is given, "time"
            (seconds since start) and "step" (steps done at the epoch's end).
    """

    step: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "lr": [], "time": [], "size": []})
    epoch: dict[str, list[float]] = field(default_factory=dict)

    @property
    def loss(self) -> list[float]:
        """Per-step training loss."""
        return self.step["loss"]

    @property
    def epoch_loss(self) -> list[float]:
        """Per-epoch training loss (averaged over examples)."""
        return self.epoch.get("loss", [])

    def record_step(self, **values: float) -> None:
        for key, value in values.items():
            self.step.setdefault(key, []).append(float(value))

    def record_epoch(self, **values: float) -> None:
        for key, value in values.items():
            self.epoch.setdefault(key, []).append(float(value))

    def to_json(self) -> str:
        return json.dumps({"step": self.step, "epoch": self.epoch})

    @classmethod
    def from_json(cls, text: str) -> "History":
        data = json.loads(text)
        return cls(step=data["step"], epoch=data["epoch"])

    def __repr__(self) -> str:
        last = {k: round(v[-1], 6) for k, v in self.epoch.items() if v and k not in ("time", "step")}
        return f"History({len(self.step['loss'])} steps, {len(self.epoch.get('loss', []))} epochs, last={last})"

    def plot(self, path: str) -> None:
        """Save the loss curves (per step and per epoch) and metric curves to a PNG file.

        Needs matplotlib (`pip install srcgrad[examples]`); uses the Agg backend, so no display.
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("History.plot needs matplotlib: pip install matplotlib") from None
        metrics = sorted({k.removeprefix("val_") for k in self.epoch} - {"loss", "time", "step"})
        fig, axes = plt.subplots(1, 1 + bool(metrics), figsize=(6 + 5 * bool(metrics), 4), squeeze=False)
        ax = axes[0][0]
        ax.plot(range(1, len(self.loss) + 1), self.loss, alpha=0.4, lw=0.8, label="batch loss")
        ends = self.epoch.get("step") or _epoch_ends(len(self.loss), len(self.epoch_loss))
        for key, style in (("loss", "o-"), ("val_loss", "s--")):
            if self.epoch.get(key):
                ax.plot(ends[: len(self.epoch[key])], self.epoch[key], style, label=f"epoch {key}")
        ax.set(xlabel="step", ylabel="loss", yscale="log" if min(self.loss, default=1) > 0 else "linear")
        ax.legend()
        if metrics:
            ax = axes[0][1]
            epochs = range(1, len(self.epoch_loss) + 1)
            for name in metrics:
                for key in (name, f"val_{name}"):
                    if self.epoch.get(key):
                        ax.plot(epochs[: len(self.epoch[key])], self.epoch[key], "o-", label=key)
            ax.set(xlabel="epoch", ylabel="metric")
            ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def _epoch_ends(n_steps: int, n_epochs: int) -> list[int]:
    """Approximate step index at each epoch end (steps per epoch assumed equal)."""
    if n_epochs == 0:
        return []
    per = n_steps / n_epochs
    return [round(per * (e + 1)) for e in range(n_epochs)]
