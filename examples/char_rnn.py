"""Train a character-level tanh RNN on the opening of Pride and Prejudice with srcgrad gradients, then sample.

    python examples/char_rnn.py [--epochs 10] [--hidden 128] [--seed 0] [--temperature 0.7]

The text, examples/data/pride_and_prejudice_ch1.txt, is the opening of chapter 1 of Jane Austen's
Pride and Prejudice (1813), which is in the public domain (typed from memory: see the file's header).
It is cut into overlapping windows of `--seq-len` characters; the targets are the same windows
shifted one character on. With so little text the network mostly learns to recite it: the sample
is mangled Austen, not new prose.

The loss is what one writes in plain NumPy (in the manner of Karpathy's min-char-rnn, batched):
one-hot inputs, a Python `for` loop over time steps, a stable log-softmax and the cross-entropy
averaged over the batch and the sequence. srcgrad reads this source and generates the backward
pass through time; to read that code:

    python -m srcgrad show examples/char_rnn.py:loss
"""
import argparse
import math
import os
import time
from pathlib import Path

# ruff: noqa: E402
if __name__ == "__main__":
    # Set before NumPy loads its BLAS. The products here are small (batch x hidden); on a busy 2-core machine
    # OpenBLAS's threads made `g @ W.T` 20-300x slower than one thread. Set the variables yourself to override.
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

import numpy as np

import srcgrad
from srcgrad import init, optim
from srcgrad.train import TrainState, evaluate

TEXT = Path(__file__).parent / "data" / "pride_and_prejudice_ch1.txt"


def loss(params: dict[str, np.ndarray], inputs: np.ndarray, targets: np.ndarray) -> np.floating:
    """Mean cross-entropy of predicting `targets[b, t]` after reading `inputs[b, :t + 1]`."""
    batch, steps = inputs.shape
    vocab = params["Why"].shape[1]
    h = np.zeros((batch, params["Whh"].shape[0]))
    total = 0.0
    for t in range(steps):
        x = np.eye(vocab)[inputs[:, t]]  # one-hot, (batch, vocab)
        h = np.tanh(x @ params["Wxh"] + h @ params["Whh"] + params["bh"])
        logits = h @ params["Why"] + params["by"]
        m = np.max(logits, axis=1, keepdims=True)
        logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
        total = total - np.sum(logp[np.arange(batch), targets[:, t]])
    return total / (batch * steps)


def init_params(vocab: int, hidden: int, seed: int) -> dict[str, np.ndarray]:
    """Glorot-uniform weights and zero biases, float64."""
    rng = np.random.default_rng(seed)
    return {"Wxh": init.glorot_uniform((vocab, hidden), rng), "Whh": init.glorot_uniform((hidden, hidden), rng),
            "bh": init.zeros((hidden,)), "Why": init.glorot_uniform((hidden, vocab), rng), "by": init.zeros((vocab,))}


def load_text(path: Path = TEXT) -> str:
    """The text of `path` without its header lines (those starting with '#')."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#")).strip() + "\n"


def make_sequences(ids: np.ndarray, length: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets), each (n, length): windows of `ids` and the same windows one step later."""
    starts = np.arange(0, len(ids) - length, stride)
    window = starts[:, None] + np.arange(length)
    return ids[window], ids[window + 1]


def sample(params: dict[str, np.ndarray], chars: str, prime: str, length: int, rng: np.random.Generator,
           temperature: float = 1.0) -> str:
    """`prime` followed by `length` characters drawn one at a time from the model."""
    index = {c: i for i, c in enumerate(chars)}
    h = np.zeros(params["Whh"].shape[0])
    out = list(prime)
    logits = None
    for c in prime:
        h = np.tanh(params["Wxh"][index[c]] + h @ params["Whh"] + params["bh"])
        logits = h @ params["Why"] + params["by"]
    for _ in range(length):
        z = logits / temperature
        p = np.exp(z - z.max())
        i = rng.choice(len(chars), p=p / p.sum())
        out.append(chars[i])
        h = np.tanh(params["Wxh"][i] + h @ params["Whh"] + params["bh"])
        logits = h @ params["Why"] + params["by"]
    return "".join(out)


class PrintEpochs:
    """A `fit` callback printing the mean training loss of each epoch."""

    def __init__(self, epochs: int):
        self.epochs = epochs

    def on_epoch_end(self, state: TrainState) -> None:
        print(f"epoch {state.epoch + 1}/{self.epochs}: training loss {state.logs['loss']:.4f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seq-len", type=int, default=25, help="characters per training sequence")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2, help="learning rate of Adam")
    parser.add_argument("--seed", type=int, default=0, help="seeds the initialization, the batch order and the sample")
    parser.add_argument("--sample-length", type=int, default=300)
    parser.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (lower: more likely)")
    args = parser.parse_args(argv)

    text = load_text()
    chars = "".join(sorted(set(text)))
    ids = np.array([chars.index(c) for c in text])
    data = make_sequences(ids, args.seq_len)
    print(f"text: {len(text)} characters, {len(chars)} distinct; {len(data[0])} sequences of {args.seq_len}")
    params = init_params(len(chars), args.hidden, args.seed)
    before = evaluate(loss, params, data)
    print(f"loss before training: {before:.4f} (a uniform guess scores log {len(chars)} = {math.log(len(chars)):.4f})")

    start = time.perf_counter()
    params, history = srcgrad.fit(loss, params, data, batch_size=args.batch_size, epochs=args.epochs,
                                  optimizer=optim.Adam(args.lr, clip_norm=5.0), seed=args.seed,
                                  callbacks=[PrintEpochs(args.epochs)])
    seconds = time.perf_counter() - start
    after = evaluate(loss, params, data)
    print(f"loss over the whole text: {before:.4f} -> {after:.4f} "
          f"({len(history.loss)} Adam steps in {seconds:.1f} s)")

    rng = np.random.default_rng(args.seed)
    print(f"sample ({args.sample_length} characters, temperature {args.temperature}, seed {args.seed}):")
    print(sample(params, chars, "It is a ", args.sample_length, rng, args.temperature))
    print("to read the backward code srcgrad generated: python -m srcgrad show examples/char_rnn.py:loss")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
