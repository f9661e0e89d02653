"""grad(f, check=True) and SRCGRAD_CHECK=1: the first calls of each compiled gradient are compared with f.

It must pass on right gradients (including at kinks, with random draws inside f, float32 inputs,
containers, methods), raise GradientCheckError on a wrong user rule, and change nothing the caller
observes except that f runs a few more times.
"""
import collections

import numpy as np
import pytest

import srcgrad


def smooth(W, x):
    h = np.tanh(W @ x)
    return np.sum(h * h) + 0.5 * np.sum(W * W)


def with_params(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h * params["layers"][0]) + np.sum(np.sin(params["layers"][1]))


def relu_at_zero(x):
    return np.sum(x * (x > 0)) + np.sum(np.abs(x))


def noisy(x):
    return np.sum(x * x) + np.random.normal() + np.random.default_rng(0).normal()


W = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
X = np.array([0.3, -0.2, 0.9])


def test_right_gradients_pass():
    params = {"W": W, "b": np.array([0.1, -0.1]), "layers": [np.array([1.0, 2.0]), np.array([0.5, 0.25])]}
    for _ in range(4):
        srcgrad.grad(smooth, check=True)(W, X)
        srcgrad.value_and_grad(smooth, wrt=(0, 1), check=True)(W, X)
        srcgrad.grad(with_params, check=True)(params, X)
        srcgrad.grad(smooth, check=True)(W.astype(np.float32), X.astype(np.float32))
        srcgrad.grad(lambda a, b: a * np.sin(b) + a ** 3, wrt=(0, 1), check=True)(1.3, 0.4)
        srcgrad.grad(relu_at_zero, check=True)(np.array([0.0, 1.0, -2.0]))  # kinks are not judged


def test_the_result_is_the_unchecked_result():
    plain = srcgrad.value_and_grad(smooth)(W, X)
    checked = srcgrad.value_and_grad(smooth, check=True)(W, X)
    assert plain[0] == checked[0]
    np.testing.assert_array_equal(plain[1], checked[1])


def test_random_draws_inside_f_are_what_an_unchecked_call_leaves():
    observed = []
    for check in (False, True):
        np.random.seed(7)
        df = srcgrad.grad(noisy, check=check)
        observed.append([(df(X), np.random.random()) for _ in range(4)])
    for (g0, r0), (g1, r1) in zip(*observed):
        np.testing.assert_array_equal(g0, g1)
        assert r0 == r1


CALLS = collections.Counter()


def tick() -> float:
    CALLS["f"] += 1
    return 0.0


srcgrad.nondifferentiable(tick)


def counted(x):
    return np.sum(np.exp(x)) + tick()


def test_only_the_first_calls_are_checked():
    calls = CALLS

    df = srcgrad.grad(counted, check=True)
    df(X)
    first = calls["f"]
    assert first > 1  # f ran for the check (besides the forward sweep of the gradient)
    for _ in range(srcgrad.api.CHECKED_CALLS + 3):
        df(X)
    after = calls["f"]
    for _ in range(5):
        df(X)
    assert calls["f"] == after + 5  # only the gradient's own forward sweep runs f's code: no more checks


def softplus(x):
    return np.log1p(np.exp(x))


@srcgrad.adjoint(softplus)
def _wrong_softplus_rule(y, x):
    d[x] = d[y] * 2.0  # noqa: F821  (the right rule is d[y] * sigmoid(x))


def uses_softplus(W, x):
    return np.sum(softplus(W @ x))


def test_a_wrong_user_rule_is_caught():
    assert srcgrad.grad(uses_softplus)(W, X) is not None  # unchecked: silently wrong
    with pytest.raises(srcgrad.GradientCheckError) as info:
        srcgrad.grad(uses_softplus, check=True)(W, X)
    message = str(info.value)
    assert "uses_softplus" in message and "test_check.py" in message
    assert "finite differences" in message and "tolerance" in message and "direction norm 1" in message
    assert issubclass(srcgrad.GradientCheckError, srcgrad.SrcgradError)


def test_environment_variable_turns_the_check_on(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SRCGRAD_CHECK", "1")
    with pytest.raises(srcgrad.GradientCheckError):
        srcgrad.grad(uses_softplus)(W, X)
    monkeypatch.setenv("SRCGRAD_CHECK", "0")
    srcgrad.grad(uses_softplus)(W, X)


def test_a_value_that_disagrees_is_caught(monkeypatch: pytest.MonkeyPatch):
    df = srcgrad.value_and_grad(smooth, check=True)
    df.compile((False, False), (W, X))
    compiled = df._by_kind[(False, False)]
    real = compiled.function
    monkeypatch.setattr(compiled, "function", lambda *a: (real(*a)[0] + 1.0, real(*a)[1]))
    with pytest.raises(srcgrad.GradientCheckError) as info:
        df(W, X)
    assert "is not f's value" in str(info.value)
