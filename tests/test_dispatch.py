"""Calls whose function is known only at run time (srcgrad/runtime/dispatch.py), against float64 finite differences.

Layers of different classes in a list, activations passed as arguments or defaults or kept in dicts,
`functools.partial`, objects called like functions, methods of expressions and of attributes.
"""
import functools

import numpy as np
import pytest

import srcgrad
from gradcheck import check_grad


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, params, x):
        return params[self.W] @ x + params[self.b]


class Tanh:
    def forward(self, params, x):
        return np.tanh(x)


class Softplus:
    def forward(self, params, x):
        return np.log1p(np.exp(x))


class Scale:
    def __init__(self, s):
        self.s = s

    def __call__(self, x):
        return self.s * x


class Activation:
    def __init__(self, fn):
        self.fn = fn


class Model:
    def __init__(self, fn):
        self.act = Activation(fn)

    def loss(self, w, x):
        return np.sum(self.act.fn(w * x) ** 2)


LAYERS = [Dense("W1", "b1"), Tanh(), Dense("W2", "b2"), Softplus()]


def layer_list(params, x):
    h = x
    for layer in LAYERS:
        h = layer.forward(params, h)
    return np.sum(h ** 2)


def activation_argument(w, x, act=np.tanh):
    return np.sum(act(w * x))


ACTS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "sin": np.sin}


def activation_from_dict(w, x, name):
    return np.sum(ACTS[name](w * x) * x)


def _scaled(v, c=1.0):
    return c * np.sin(v)


def partial_of_a_helper(w, x):
    f = functools.partial(_scaled, c=3.0)
    return np.sum(f(w) * x)


SCALE = Scale(2.0)


def object_called_like_a_function(w):
    return np.sum(SCALE(w) ** 2)


def method_of_an_expression(W, X):
    s = 0.0
    for i in range(X.shape[0]):
        s = s + np.sum(X[i].dot(W) ** 2)
    return s


def keyword_argument_varies(w, act=_scaled):
    return np.sum(act(np.ones(3), c=w) ** 2)


RS = np.random.RandomState(0)
PARAMS = {"W1": RS.randn(4, 3), "b1": RS.randn(4), "W2": RS.randn(2, 4), "b2": RS.randn(2)}
X3 = RS.randn(3)

CASES = [
    (layer_list, (PARAMS, X3)),
    (activation_argument, (RS.randn(3), X3)),
    (activation_argument, (RS.randn(3), X3, np.sin)),
    (activation_argument, (RS.randn(3), X3, Scale(0.5))),
    (activation_from_dict, (RS.randn(3), X3, "relu")),
    (activation_from_dict, (RS.randn(3), X3, "tanh")),
    (partial_of_a_helper, (RS.randn(3), X3)),
    (object_called_like_a_function, (RS.randn(3),)),
    (method_of_an_expression, (RS.randn(3, 2), RS.randn(4, 3))),
    (keyword_argument_varies, (0.7,)),
]


@pytest.mark.parametrize("f, args", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_gradient_through_a_call_resolved_at_run_time(f, args):
    check_grad(f, args, with_value=True)


@pytest.mark.parametrize("f, args", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_jvp_through_a_call_resolved_at_run_time(f, args):
    x = args[0]
    tangent = {k: np.full_like(v, 0.3) for k, v in x.items()} if isinstance(x, dict) else \
        (0.3 if isinstance(x, float) else np.full_like(x, 0.3))
    value, derivative = srcgrad.jvp(f)(*args, tangent)
    step = 1e-6

    def moved(sign):
        if isinstance(x, dict):
            return {k: v + sign * step * tangent[k] for k, v in x.items()}
        return x + sign * step * tangent

    want = (f(moved(1), *args[1:]) - f(moved(-1), *args[1:])) / (2 * step)
    assert value == f(*args)
    assert derivative == pytest.approx(want, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("fn", [np.tanh, np.sin, lambda z: z ** 3])
def test_method_of_an_attribute_follows_the_object(fn):
    model = Model(fn)
    w, x = np.array([0.3, -0.2]), np.array([1.5, 0.5])
    check_grad(model.loss, (w, x), with_value=True)


def varied_partial(w, x):
    f = functools.partial(_scaled, c=w)
    return np.sum(f(x))


def test_a_function_built_from_differentiated_values_is_refused():
    with pytest.raises(srcgrad.NotDifferentiableError, match="built from values being differentiated"):
        srcgrad.grad(varied_partial)(0.5, np.ones(3))


def test_a_callee_without_rule_names_the_users_line():
    with pytest.raises(srcgrad.NotDifferentiableError) as info:
        srcgrad.grad(activation_argument)(np.ones(3), X3, np.frexp)
    assert "frexp" in str(info.value) and info.value.origin.filename == __file__


def test_second_derivative_through_a_run_time_call_is_refused_clearly():
    def loss(a, act=np.sin):
        return act(a) * a

    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="second derivative"):
        srcgrad.grad(srcgrad.grad(loss))(0.3)
