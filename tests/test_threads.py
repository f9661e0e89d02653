"""Issue 10, item 16: compiling is thread-safe. Threads that make the first call of a new gradient at
once all get the right gradient (a closed form); none sees a half-built callee."""
import linecache
import textwrap
import threading
import types

import numpy as np

import srcgrad

SOURCE = textwrap.dedent("""
    import numpy as np

    def power(a, n):
        if n == 0:
            return 1.0
        return a * power(a, n - 1)

    def inner(x):
        return np.sin(x) * x

    def middle(x):
        y = inner(x) + power(x, 3)
        for _ in range(3):
            y = y + 0.5 * inner(y * 0.1)
        return y

    def loss(x):
        return np.sum(middle(x)) + np.sum(inner(x))
""")
THREADS = 8


def _fresh_module(round_: int) -> types.ModuleType:
    """New function objects each round, so every round compiles from scratch."""
    filename = f"<srcgrad threads round {round_}>"
    linecache.cache[filename] = (len(SOURCE), None, SOURCE.splitlines(True), filename)
    module = types.ModuleType(f"srcgrad_threads_{round_}")
    exec(compile(SOURCE, filename, "exec"), module.__dict__)
    return module


def _finite_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        out[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return out


def test_first_calls_from_many_threads_at_once():
    x = np.array([0.3, -0.7, 1.1])
    v = np.array([1.0, 0.5, -2.0])
    for round_ in range(4):
        module = _fresh_module(round_)
        expected = _finite_difference(module.loss, x)
        gradients = [srcgrad.grad(module.loss) for _ in range(THREADS // 2)] + [srcgrad.grad(module.loss)] * 2
        forward = srcgrad.jvp(module.loss)
        barrier = threading.Barrier(THREADS)
        results: list = [None] * THREADS
        errors: list = []

        def work(i: int) -> None:
            barrier.wait()
            try:
                if i < len(gradients):
                    results[i] = gradients[i](x)
                else:
                    results[i] = forward(x, v)[1]
            except BaseException as exc:  # reported below, with the thread's number
                errors.append((i, repr(exc)))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        for i, result in enumerate(results):
            reference = expected if i < len(gradients) else expected @ v
            np.testing.assert_allclose(result, reference, rtol=1e-6, atol=1e-9)
        srcgrad.clear_cache()
