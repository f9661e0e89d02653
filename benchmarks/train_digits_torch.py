"""examples/train_digits.py in PyTorch (eager, CPU, one thread): the same training, for comparison.

    python benchmarks/train_digits_torch.py [--epochs 40]

Same data split and initial weights (taken from the example's own `load_data` and
`init_params`), MLP 64-256-10 with ReLU, float32, Adam (betas 0.9/0.999, eps 1e-8) with the
learning rate of srcgrad's `cosine_lr(3e-3, steps)` set before each step, batches of 32 in the
order `srcgrad.fit` uses (`default_rng([seed, epoch]).permutation(n)`), training accuracy from
each batch's forward pass and validation loss/accuracy after each epoch, as `fit` reports them.
Prints the same summary lines as the example.
"""
import argparse
import importlib.util
import math
import os
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def load_example() -> ModuleType:
    """examples/train_digits.py as a module (for its data split and initial parameters)."""
    spec = importlib.util.spec_from_file_location("train_digits_example", ROOT / "examples" / "train_digits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cosine_lr(lr: float, total_steps: int, step: int) -> float:
    """srcgrad.optim.cosine_lr(lr, total_steps)(step) with min_lr 0."""
    return 0.5 * lr * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    example = load_example()
    (x_train, y_train), (x_test, y_test) = example.load_data()
    print(f"digits: {len(y_train)} training and {len(y_test)} test images, 8x8 pixels, 10 classes")
    init = example.init_params(args.hidden, args.seed)
    params = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train).long()
    xv, yv = torch.from_numpy(x_test), torch.from_numpy(y_test).long()
    n = len(y_train)
    steps_per_epoch = -(-n // args.batch_size)
    steps = args.epochs * steps_per_epoch

    def predict(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(x @ p["W1"] + p["b1"])
        return h @ p["W2"] + p["b2"]

    opt = torch.optim.Adam(list(params.values()), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    step = 0
    epoch_loss = epoch_accuracy = val_loss = 0.0
    start = time.perf_counter()
    for epoch in range(args.epochs):
        order = torch.from_numpy(np.random.default_rng([args.seed, epoch]).permutation(n))
        total_loss = total_correct = 0.0
        for b in range(steps_per_epoch):
            rows = order[b * args.batch_size:(b + 1) * args.batch_size]
            xb, yb = xt[rows], yt[rows]
            logits = predict(params, xb)
            loss = F.cross_entropy(logits, yb)
            for group in opt.param_groups:
                group["lr"] = cosine_lr(args.lr, steps, step)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            total_loss += float(loss) * len(rows)
            total_correct += float((logits.argmax(dim=1) == yb).sum())
        epoch_loss, epoch_accuracy = total_loss / n, total_correct / n
        with torch.no_grad():
            val_sum = 0.0
            for b in range(0, len(yv), args.batch_size):
                val_sum += float(F.cross_entropy(predict(params, xv[b:b + args.batch_size]),
                                                 yv[b:b + args.batch_size])) * len(yv[b:b + args.batch_size])
            val_loss = val_sum / len(yv)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        test_accuracy = float((predict(params, xv).argmax(dim=1) == yv).double().mean())
    print(f"final training loss {epoch_loss:.4f} (accuracy {100 * epoch_accuracy:.2f}%), test loss {val_loss:.4f}")
    print(f"test accuracy: {100 * test_accuracy:.2f}%")
    print(f"training time: {seconds:.2f} s for {args.epochs} epochs "
          f"({args.epochs * n / seconds:,.0f} examples/s)")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), pid {os.getpid()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
