"""The oracles can fail: wrong rules, wrong values and wrong structures are reported as such.

A deliberately wrong derivative rule (`srcgrad.adjoint` / `srcgrad.tangent` on a function of a
generated module) must be caught by the finite-difference oracles, a tiny error by the autograd
oracle; a value off by one ulp by the value oracle; exceptions are categorised; points at kinks
are rejected, never judged.
"""
# ruff: noqa: F821  (rule templates use d[...], which is never defined)
import numpy as np
import pytest

import srcgrad

from .oracles import check_program
from .program import load

WOBBLE = '''
import numpy as np


def wobble(u):
    return np.sin(u)


def f(a, x):
    return np.sum(wobble(a * x)) + a


def kink(a):
    return np.abs(a) + np.where(a > 0.3, a, 2.0 * a)


def not_scalar(a):
    return np.array([a, a])


def swap_loop(a, n):
    s, t = 0.0, 1.0
    for i in range(n):
        s, t = t, s + t
    return a * s
'''


@pytest.fixture
def module(tmp_path):
    """A fresh module each test: rules registered on its `wobble` do not leak into other tests."""
    return load(WOBBLE, tmp_path, "oracle_meta")


ARGS = (0.7, np.array([0.3, -1.2, 0.5]))


def categories(outcome) -> set[tuple[str, str]]:
    return {(f.category, f.oracle) for f in outcome.failures}


def test_a_correct_program_passes(module) -> None:
    outcome = check_program(module, "f", ARGS, (0, 1), autograd_module=None)
    assert outcome.status == "checked" and outcome.failures == [], outcome


def test_a_wrong_adjoint_is_a_wrong_gradient(module) -> None:
    @srcgrad.adjoint(module.wobble)
    def _wrong(y, u):
        d[u] = d[y] * 2.0 * np.cos(u)  # twice the derivative

    outcome = check_program(module, "f", ARGS, 0, jvp=False, second=False)
    assert categories(outcome) == {("gradient", "value_and_grad")}


def test_a_slightly_wrong_adjoint_is_caught_by_autograd(module, tmp_path) -> None:
    @srcgrad.adjoint(module.wobble)
    def _almost(y, u):
        d[u] = d[y] * np.cos(u) * (1.0 + 1e-6)  # within finite differences' tolerance

    twin = load(WOBBLE.replace("import numpy as np", "import autograd.numpy as np"), tmp_path, "oracle_meta_ag")
    outcome = check_program(module, "f", ARGS, 1, autograd_module=twin, jvp=False, second=False)
    assert categories(outcome) == {("gradient", "autograd")}


def test_a_wrong_tangent_is_a_wrong_jvp(module) -> None:
    @srcgrad.tangent(module.wobble)
    def _wrong(y, u):
        d[y] = -d[u] * np.cos(u)

    outcome = check_program(module, "f", ARGS, (0, 1), gradient=False, second=False)
    assert categories(outcome) == {("jvp", "jvp")}


def test_a_value_off_by_one_ulp_is_a_wrong_value(module, monkeypatch) -> None:
    real = srcgrad.value_and_grad

    def off_by_one_ulp(f, wrt=0):
        inner = real(f, wrt=wrt)
        return lambda *args: (lambda vg: (np.nextafter(vg[0], np.inf), vg[1]))(inner(*args))

    monkeypatch.setattr(srcgrad, "value_and_grad", off_by_one_ulp)
    outcome = check_program(module, "f", ARGS, 0, jvp=False, second=False)
    assert categories(outcome) == {("value", "value_and_grad")}


def test_wrong_structures_are_wrong_gradients(module, monkeypatch) -> None:
    real = srcgrad.value_and_grad

    def as_float32(f, wrt=0):
        inner = real(f, wrt=wrt)
        return lambda *args: (lambda vg: (vg[0], np.float32(vg[1])))(inner(*args))

    monkeypatch.setattr(srcgrad, "value_and_grad", as_float32)
    outcome = check_program(module, "f", ARGS, 0, jvp=False, second=False)
    assert [f.message for f in outcome.failures] == [
        "structure: argument 0: a Python float argument got a float32 gradient"]


def test_a_wrong_second_derivative(module, monkeypatch) -> None:
    real = srcgrad.grad

    def skewed(f, wrt=0):
        inner = real(f, wrt=wrt)
        if not isinstance(f, srcgrad.GradientFunction):
            return inner
        return lambda *args: inner(*args) * 1.01  # the second derivative, 1% off

    monkeypatch.setattr(srcgrad, "grad", skewed)
    outcome = check_program(module, "f", ARGS, 0, gradient=False, jvp=False)
    assert categories(outcome) == {("second", "grad(grad)")}


@pytest.mark.parametrize("error, category", [(ValueError("boom"), "crash"),
                                             (srcgrad.UnsupportedSyntaxError("no"), "refusal")])
def test_exceptions_are_crashes_or_refusals(module, monkeypatch, error, category) -> None:
    def raising(f, wrt=0):
        def call(*args):
            raise error
        return call

    monkeypatch.setattr(srcgrad, "value_and_grad", raising)
    outcome = check_program(module, "f", ARGS, 0, jvp=False, second=False)
    assert categories(outcome) == {(category, "value_and_grad")}
    allowed = check_program(module, "f", ARGS, 0, jvp=False, second=False, refusal_ok=True)
    assert categories(allowed) == ({(category, "value_and_grad")} if category == "crash" else set())


def test_writing_into_an_argument_is_a_wrong_value(module, monkeypatch) -> None:
    real = srcgrad.value_and_grad

    def scribbling(f, wrt=0):
        inner = real(f, wrt=wrt)

        def call(a, x):
            x[0] = 5.0
            return inner(a, x)
        return call

    monkeypatch.setattr(srcgrad, "value_and_grad", scribbling)
    args = (0.7, np.array([0.3, -1.2, 0.5]))
    outcome = check_program(module, "f", args, 0, jvp=False, second=False)
    assert ("value", "value_and_grad") in categories(outcome)
    assert args[1][0] == 0.3  # restored for the next oracle


@pytest.mark.parametrize("a", [0.0, 0.3, 0.3 + 2e-6])
def test_kinks_are_rejected_not_judged(module, a) -> None:
    assert check_program(module, "kink", (a,), 0).status == "rejected"


def test_unusable_points_are_discarded(module) -> None:
    assert check_program(module, "not_scalar", (0.5,), 0).status == "discarded"


def test_the_value_of_a_swap_loop_is_checked_exactly(module) -> None:
    outcome = check_program(module, "swap_loop", (1.5, 5), 0)
    assert outcome.status == "checked" and "value_and_grad" in outcome.ran and "jvp" in outcome.ran
