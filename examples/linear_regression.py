"""Fit a line y = w*x + b with srcgrad gradients and minibatch SGD, and check it against np.polyfit.

    python examples/linear_regression.py [--epochs 200]

x is standardized inside (so one learning rate suits both parameters) and the fit is mapped
back to the original scale. Minibatch SGD with a constant rate only reaches a neighbourhood of
the optimum, so a few full-batch gradient steps finish the job: on standardized data the
Hessian of the mean squared error is 2*I and each step with lr=0.25 halves the error.
"""
import argparse

import numpy as np

import srcgrad
from srcgrad import optim
from srcgrad.losses import mse

X = np.arange(1.0, 11.0)
Y = np.array([1.0, 3.0, 3.5, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0])


def loss(params, x, y):
    return mse(params["w"] * x + params["b"], y)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="epochs of minibatch SGD (default 200)")
    args = parser.parse_args(argv)

    mean, std = X.mean(), X.std()
    xs = (X - mean) / std
    params = {"w": np.array(0.0), "b": np.array(0.0)}
    params, history = srcgrad.fit(loss, params, (xs, Y), batch_size=4, epochs=args.epochs,
                                  optimizer=optim.SGD(0.02), seed=0, progress=False)
    print(f"minibatch SGD: {len(history.loss)} steps, epoch loss {history.epoch_loss[0]:.4f} -> "
          f"{history.epoch_loss[-1]:.6f}")
    params, history = srcgrad.fit(loss, params, (xs, Y), batch_size=len(X), epochs=60, shuffle=False,
                                  optimizer=optim.SGD(0.25), progress=False)
    print(f"full-batch GD: {len(history.loss)} steps, loss {history.loss[-1]:.10f}")

    w = float(params["w"]) / std
    b = float(params["b"]) - float(params["w"]) * mean / std
    ref_w, ref_b = np.polyfit(X, Y, 1)
    print(f"srcgrad:    y = {w:.9f} * x + {b:.9f}")
    print(f"np.polyfit: y = {ref_w:.9f} * x + {ref_b:.9f}")
    if max(abs(w - ref_w), abs(b - ref_b)) > 1e-6:
        print("MISMATCH: the fit differs from np.polyfit by more than 1e-6")
        return 1
    print("matches np.polyfit to 1e-6")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
