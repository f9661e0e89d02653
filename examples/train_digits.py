"""Train a multilayer perceptron on scikit-learn's 8x8 digits with srcgrad gradients.

    python examples/train_digits.py [--epochs 30] [--micro-batch-size 8] [--plot digits_loss.png]

The data ships with scikit-learn (no download). The loss below is ordinary NumPy; srcgrad
reads its source (and that of `predict` and `softmax_cross_entropy`, which it calls) and
generates the backward pass. To read that generated code:

    python -m srcgrad show examples/train_digits.py:loss
"""
import argparse
import time

import numpy as np

import srcgrad
from srcgrad import init, optim
from srcgrad.losses import accuracy, softmax_cross_entropy
from srcgrad.train import evaluate


def predict(params, x):
    h = np.maximum(x @ params["W1"] + params["b1"], 0.0)  # ReLU
    return h @ params["W2"] + params["b2"]


def loss(params, x, y):
    return softmax_cross_entropy(predict(params, x), y)


def accuracy_of(params, x, y):
    return accuracy(predict(params, x), y)


def init_params(hidden: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"W1": init.he_uniform((64, hidden), rng, np.float32), "b1": init.zeros((hidden,), dtype=np.float32),
            "W2": init.glorot_uniform((hidden, 10), rng, np.float32), "b2": init.zeros((10,), dtype=np.float32)}


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A fixed stratified 80/20 split; pixel values 0..16 scaled to 0..1."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data, digits.target, test_size=0.2,
                                                        random_state=0, stratify=digits.target)
    x_train, x_test = ((x / 16.0).astype(np.float32) for x in (x_train, x_test))
    return (x_train, y_train), (x_test, y_test)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--micro-batch-size", type=int, default=None,
                        help="accumulate each batch's gradient over micro-batches of this size")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate of Adam (cosine decay)")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="digits_loss.png", help="loss curve PNG ('' to skip)")
    parser.add_argument("--log-every", type=int, default=None, help="print a log line every N batches")
    args = parser.parse_args(argv)

    train, test = load_data()
    print(f"digits: {len(train[1])} training and {len(test[1])} test images, 8x8 pixels, 10 classes")
    params = init_params(args.hidden, args.seed)
    steps = args.epochs * -(-len(train[1]) // args.batch_size)
    start = time.perf_counter()
    params, history = srcgrad.fit(loss, params, train, batch_size=args.batch_size, epochs=args.epochs,
                                  optimizer=optim.Adam(optim.cosine_lr(args.lr, steps)),
                                  micro_batch_size=args.micro_batch_size,
                                  seed=args.seed, val_data=test, metrics={"accuracy": accuracy_of},
                                  log_every=args.log_every)
    seconds = time.perf_counter() - start
    test_accuracy = evaluate(accuracy_of, params, test)
    print(f"final training loss {history.epoch_loss[-1]:.4f}, test loss {history.epoch['val_loss'][-1]:.4f}")
    print(f"test accuracy: {100 * test_accuracy:.2f}%")
    print(f"training time: {seconds:.2f} s for {args.epochs} epochs "
          f"({args.epochs * len(train[1]) / seconds:,.0f} examples/s)")
    if args.plot:
        try:
            history.plot(args.plot)
            print(f"loss curve saved to {args.plot}")
        except ImportError:
            print("matplotlib is not installed: no loss curve (pip install matplotlib)")
    print("to read the backward code srcgrad generated: python -m srcgrad show examples/train_digits.py:loss")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
