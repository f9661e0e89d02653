"""What a cached srcgrad gradient adds to each call: argument kinds, the complex-input check, the
late-binding check (binding.guard) and the dispatch. The generated function is swapped for a stub
that returns at once, so only the wrapper is timed; best of many interleaved repeats.

    python benchmarks/call_overhead.py
"""
import timeit

import numpy as np

import srcgrad


def square(x):
    return x * x


def tanh_layer(x, W):
    h = np.tanh(W @ x)
    return np.sum(h * h)


def helper(v):
    return np.sin(v) * v


def with_helper(x, W):
    return np.sum(helper(W @ x)) + np.mean(np.exp(W))


def with_params(params, x):
    return np.sum(np.tanh(params["W"] @ x + params["b"]))


def _stub(*args):
    return 0.0, (0.0,)


def main() -> None:
    x, W = np.ones(3), np.ones((2, 3))
    params = {"W": W, "b": np.ones(2)}
    cases = [("f(x) = x*x, float", srcgrad.grad(square), (1.5,)),
             ("tanh layer, arrays", srcgrad.grad(tanh_layer, wrt=1), (x, W)),
             ("helper + numpy calls", srcgrad.grad(with_helper, wrt=1), (x, W)),
             ("dict of 2 arrays", srcgrad.grad(with_params), (params, x))]
    for label, df, args in cases:
        df(*args)
        (kinds, entry), = df._by_kind.items()
        entry.function = _stub
        wrapped, bare = [], []
        for _ in range(300):
            wrapped.append(timeit.timeit(lambda: df(*args), number=2000))
            bare.append(timeit.timeit(lambda: _stub(*args), number=2000))
        print(f"{label:22s}: {(min(wrapped) - min(bare)) / 2000 * 1e9:5.0f} ns per call")


if __name__ == "__main__":
    main()
