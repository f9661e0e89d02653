"""NamedTuples and dataclass instances as parameter containers, as a JAX user writes them.

Every gradient is checked against a reference that does not use srcgrad: central finite differences
in float64 over every element of every float field (`numeric_gradient`), or closed forms.
"""
import dataclasses
import os
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

import srcgrad

RNG = np.random.default_rng(20240611)
X = RNG.normal(size=(6, 3))
Y = RNG.normal(size=(6, 2))


class Params(NamedTuple):
    W: np.ndarray
    b: np.ndarray


@dataclasses.dataclass
class Layer:
    W: np.ndarray
    b: np.ndarray


@dataclasses.dataclass(frozen=True)
class FrozenLayer:
    W: np.ndarray
    b: np.ndarray


@dataclasses.dataclass(slots=True)
class SlotLayer:
    W: np.ndarray
    b: np.ndarray


RECORD_TYPES = [Params, Layer, FrozenLayer, SlotLayer]


def params_of(cls: type, n_in: int = 3, n_out: int = 2, scale: float = 0.5) -> Any:
    return cls(scale * RNG.normal(size=(n_in, n_out)), scale * RNG.normal(size=n_out))


# ---- a reference that knows nothing of srcgrad ------------------------------------------------------


def _rebuild(tree: Any, leaf: Callable[[Any], Any]) -> Any:
    """`tree` with every leaf replaced by `leaf(value)`, containers rebuilt in their own types."""
    if isinstance(tree, dict):
        return {k: _rebuild(v, leaf) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_rebuild(v, leaf) for v in tree]
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*[_rebuild(v, leaf) for v in tree])
    if isinstance(tree, tuple):
        return tuple(_rebuild(v, leaf) for v in tree)
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return dataclasses.replace(tree, **{f.name: _rebuild(getattr(tree, f.name), leaf)
                                            for f in dataclasses.fields(tree)})
    return leaf(tree)


def _is_float(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f")


def _float_leaves(tree: Any) -> list:
    """The float leaves of `tree`, in the order `_rebuild` visits them."""
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _float_leaves(v)]
    if isinstance(tree, list | tuple):
        return [leaf for v in tree for leaf in _float_leaves(v)]
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return [leaf for f in dataclasses.fields(tree) for leaf in _float_leaves(getattr(tree, f.name))]
    return [tree] if _is_float(tree) else []


def _with_leaf(tree: Any, k: int, value: Any) -> Any:
    """`tree` with its k-th float leaf replaced by `value`."""
    seen = -1

    def leaf(v):
        nonlocal seen
        if _is_float(v):
            seen += 1
            if seen == k:
                return value
        return v

    return _rebuild(tree, leaf)


def numeric_gradient(f: Callable, args: tuple, pos: int = 0, eps: float = 1e-6) -> Any:
    """Central differences of `f` with respect to each element of each float leaf of `args[pos]`, in float64;
    a tree of the argument's structure, None at leaves that are not floats."""
    tree = args[pos]
    grads = []
    for k, leaf in enumerate(_float_leaves(tree)):
        base = np.array(leaf, dtype=np.float64)
        g = np.zeros(base.shape)
        for index in np.ndindex(*base.shape):
            values = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[index] += step
                shifted = list(args)
                shifted[pos] = _with_leaf(tree, k, float(moved) if isinstance(leaf, float) else moved)
                values.append(float(f(*shifted)))
            g[index] = (values[0] - values[1]) / (2 * eps)
        grads.append(float(g) if isinstance(leaf, float) else g)
    it = iter(grads)
    return _rebuild(tree, lambda v: next(it) if _is_float(v) else None)


def assert_same_tree(got: Any, want: Any, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Same container types all the way down; float leaves close; None where the reference has no number."""
    assert type(got) is type(want) or want is None, (type(got), type(want))
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_same_tree(got[k], want[k], rtol, atol)
    elif isinstance(want, list | tuple):
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert_same_tree(a, b, rtol, atol)
    elif dataclasses.is_dataclass(want):
        for f in dataclasses.fields(want):
            assert_same_tree(getattr(got, f.name), getattr(want, f.name), rtol, atol)
    elif want is not None:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ---- loss functions written as users write them -----------------------------------------------------


def linear_loss(p, x, y):
    return np.mean((x @ p.W + p.b - y) ** 2)


def dense(layer, h):
    return np.tanh(h @ layer.W + layer.b)


def mlp_loss(layers, x, y):
    h = x
    for layer in layers:
        h = dense(layer, h)
    return np.mean((h - y) ** 2)


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_gradient_has_the_argument_type_and_matches_finite_differences(cls):
    p = params_of(cls)
    g = srcgrad.grad(linear_loss)(p, X, Y)
    assert type(g) is cls
    assert_same_tree(g, numeric_gradient(linear_loss, (p, X, Y)))


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_gradient_equals_the_closed_form_of_the_dict_version(cls):
    def dict_loss(p, x, y):
        return np.mean((x @ p["W"] + p["b"] - y) ** 2)

    p = params_of(cls)
    g = srcgrad.grad(linear_loss)(p, X, Y)
    r = X @ p.W + p.b - Y
    dW, db = 2 * X.T @ r / r.size, 2 * r.sum(axis=0) / r.size  # d/dW and d/db of mean(r ** 2)
    np.testing.assert_allclose(g.W, dW, rtol=1e-12)
    np.testing.assert_allclose(g.b, db, rtol=1e-12)
    gd = srcgrad.grad(dict_loss)({"W": p.W, "b": p.b}, X, Y)
    np.testing.assert_allclose(gd["W"], dW, rtol=1e-12)
    np.testing.assert_allclose(gd["b"], db, rtol=1e-12)


def test_value_and_grad_of_a_dataclass():
    p = params_of(Layer)
    value, g = srcgrad.value_and_grad(linear_loss)(p, X, Y)
    assert value == pytest.approx(linear_loss(p, X, Y), rel=1e-14)
    assert type(g) is Layer
    assert_same_tree(g, numeric_gradient(linear_loss, (p, X, Y)))


def test_frozen_dataclass_gradient_is_a_new_frozen_instance():
    p = params_of(FrozenLayer)
    g = srcgrad.grad(linear_loss)(p, X, Y)
    assert type(g) is FrozenLayer and g is not p
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.W = np.zeros((3, 2))


def test_namedtuple_unpacking_and_indexing():
    def loss(p, x):
        W, b = p
        return np.sum(np.tanh(x @ W + p[1]) * p.b) + np.sum(p[0] ** 2)

    p = params_of(Params)
    g = srcgrad.grad(loss)(p, X)
    assert type(g) is Params
    assert_same_tree(g, numeric_gradient(loss, (p, X)))


class TwoLayers(NamedTuple):
    W1: np.ndarray
    W2: np.ndarray


def test_fields_read_with_getattr():
    def loss(p, x):
        h = x
        for i in range(1, 3):
            h = np.tanh(h @ getattr(p, f"W{i}"))
        return np.sum(h ** 2)

    p = TwoLayers(0.5 * RNG.normal(size=(3, 3)), 0.5 * RNG.normal(size=(3, 2)))
    want = numeric_gradient(loss, (p, X))
    assert_same_tree(srcgrad.grad(loss)(p, X), want)
    t = TwoLayers(RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2)))
    _, slope = srcgrad.jvp(loss)(p, X, t)
    assert slope == pytest.approx(np.sum(want.W1 * t.W1) + np.sum(want.W2 * t.W2), rel=1e-6)


def test_weights_of_a_list_of_dataclass_layers_read_in_a_loop_and_a_helper():
    layers = [params_of(Layer, 3, 4), params_of(Layer, 4, 2)]
    g = srcgrad.grad(mlp_loss)(layers, X, Y)
    assert isinstance(g, list) and all(type(gi) is Layer for gi in g)
    assert_same_tree(g, numeric_gradient(mlp_loss, (layers, X, Y)))


def test_dict_of_named_tuples():
    def autoencoder(p, x):
        code = np.tanh(x @ p["enc"].W + p["enc"].b)
        return np.mean((code @ p["dec"].W + p["dec"].b - x) ** 2)

    p = {"enc": params_of(Params, 3, 2), "dec": params_of(Params, 2, 3)}
    g = srcgrad.grad(autoencoder)(p, X)
    assert set(g) == {"enc", "dec"} and type(g["enc"]) is Params
    assert_same_tree(g, numeric_gradient(autoencoder, (p, X)))


@dataclasses.dataclass
class Model:
    layers: list
    head: dict
    temperature: float = 1.0


def model_loss(m, x, y):
    h = x
    for i in range(len(m.layers)):
        h = np.tanh(h @ m.layers[i].W + m.layers[i].b)
    out = (h @ m.head["W"] + m.head["b"]) / m.temperature
    return np.mean((out - y) ** 2)


def test_dataclass_holding_a_list_and_a_dict():
    m = Model([params_of(Layer, 3, 4), params_of(Layer, 4, 4)], {"W": RNG.normal(size=(4, 2)), "b": np.zeros(2)},
              1.5)
    g = srcgrad.grad(model_loss)(m, X, Y)
    assert type(g) is Model and type(g.layers[1]) is Layer and isinstance(g.temperature, float)
    assert_same_tree(g, numeric_gradient(model_loss, (m, X, Y)))


@dataclasses.dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray
    activation: str = "tanh"

    def __call__(self, h):
        z = h @ self.W + self.b
        return np.tanh(z) if self.activation == "tanh" else z

    def forward(self, h):
        return self(h)


def test_methods_of_dataclass_layers_in_a_list():
    def called(layers, x, y):
        h = x
        for layer in layers:
            h = layer(h)
        return np.mean((h - y) ** 2)

    def by_method(layers, x, y):
        h = x
        for layer in layers:
            h = layer.forward(h)
        return np.mean((h - y) ** 2)

    layers = [Dense(*params_of(Params, 3, 4)), Dense(*params_of(Params, 4, 2), activation="linear")]
    want = numeric_gradient(called, (layers, X, Y))
    for loss in (called, by_method):
        g = srcgrad.grad(loss)(layers, X, Y)
        assert [type(gi) for gi in g] == [Dense, Dense]
        assert g[0].activation is None  # a string carries no gradient
        assert_same_tree(g, want)


def test_method_of_a_dataclass_argument():
    def loss(layer, x, y):
        return np.mean((layer.forward(x) - y) ** 2)

    layer = Dense(*params_of(Params))
    g = srcgrad.grad(loss)(layer, X, Y)
    assert type(g) is Dense
    assert_same_tree(g, numeric_gradient(loss, (layer, X, Y)))


@dataclasses.dataclass
class Configured:
    W: np.ndarray
    scale: float
    activation: Callable = np.tanh
    name: str = "layer"
    note: Any = None


def test_fields_that_hold_no_numbers_get_none():
    def loss(p, x):
        return np.sum(p.activation(x @ p.W) * p.scale)

    p = Configured(RNG.normal(size=(3, 2)), 0.7)
    g = srcgrad.grad(loss)(p, X)
    assert type(g) is Configured
    assert g.activation is None and g.name is None and g.note is None
    assert_same_tree(g, numeric_gradient(loss, (p, X)))


@dataclasses.dataclass
class Validated:
    W: np.ndarray
    b: np.ndarray
    made = 0  # instances that went through __init__ (a class attribute, not a field)

    def __post_init__(self):
        type(self).made += 1
        if np.any(np.isnan(self.W)):
            raise ValueError("W holds NaN")


def test_gradient_record_is_built_without_running_init():
    p = Validated(*params_of(Params))
    made = Validated.made
    g = srcgrad.grad(linear_loss)(p, X, Y)
    assert Validated.made == made and type(g) is Validated
    np.testing.assert_allclose(g.W, numeric_gradient(linear_loss, (p, X, Y)).W, rtol=1e-6)


def test_jvp_takes_and_follows_a_tangent_of_the_same_type():
    def directional(f, args, tangent, h=1e-6):
        plus = _rebuild_pair(args[0], tangent, h)
        minus = _rebuild_pair(args[0], tangent, -h)
        return (f(plus, *args[1:]) - f(minus, *args[1:])) / (2 * h)

    for cls in RECORD_TYPES:
        p, t = params_of(cls), params_of(cls)
        value, slope = srcgrad.jvp(linear_loss)(p, X, Y, t)
        assert value == pytest.approx(linear_loss(p, X, Y), rel=1e-14)
        assert slope == pytest.approx(directional(linear_loss, (p, X, Y), t), rel=1e-6)
    layers = [params_of(Layer, 3, 4), params_of(Layer, 4, 2)]
    tangents = [params_of(Layer, 3, 4), params_of(Layer, 4, 2)]
    _, slope = srcgrad.jvp(mlp_loss)(layers, X, Y, tangents)
    assert slope == pytest.approx(directional(mlp_loss, (layers, X, Y), tangents), rel=1e-6)


def _rebuild_pair(x: Any, t: Any, h: float) -> Any:
    """x + h t for two trees of the same structure."""
    if isinstance(x, list):
        return [_rebuild_pair(a, b, h) for a, b in zip(x, t)]
    return type(x)(**{name: getattr(x, name) + h * getattr(t, name)
                      for name in (x._fields if isinstance(x, tuple) else [f.name for f in dataclasses.fields(x)])})


@pytest.mark.parametrize("cls", [Params, Layer], ids=lambda c: c.__name__)
def test_hessian_vector_product_in_the_record_type(cls):
    p, v = params_of(cls), params_of(cls)
    hv = srcgrad.hvp(linear_loss)(p, X, Y, v)
    assert type(hv) is cls
    # the loss is quadratic: H v is the gradient of the residual's linear part, 2/N X^T (X vW + vb), ...
    dr = X @ v.W + v.b
    np.testing.assert_allclose(hv.W, 2 * X.T @ dr / Y.size, rtol=1e-10)
    np.testing.assert_allclose(hv.b, 2 * dr.sum(axis=0) / Y.size, rtol=1e-10)


def test_gradient_of_a_gradient_with_respect_to_a_record():
    def energy(p, t):
        return np.sum(np.tanh(X @ p.W * t + p.b))

    def d_energy_dt(p, t):  # by hand: d/dt sum(tanh(z)) with z = X W t + b
        return float(np.sum((1 - np.tanh(X @ p.W * t + p.b) ** 2) * (X @ p.W)))

    for cls in (Params, Layer):
        p = params_of(cls)
        assert srcgrad.grad(energy, wrt=1)(p, 0.7) == pytest.approx(d_energy_dt(p, 0.7), rel=1e-10)
        mixed = srcgrad.grad(srcgrad.grad(energy, wrt=1), wrt=0)(p, 0.7)
        assert type(mixed) is cls
        assert_same_tree(mixed, numeric_gradient(d_energy_dt, (p, 0.7)))


# ---- training -----------------------------------------------------------------------------------------


def _regression_data(n: int = 64):
    x = RNG.normal(size=(n, 3))
    return x, x @ RNG.normal(size=(3, 2)) + 0.3


def test_fit_trains_a_named_tuple_and_returns_one():
    x, y = _regression_data()
    p0 = Params(np.zeros((3, 2)), np.zeros(2))
    p, history = srcgrad.fit(linear_loss, p0, (x, y), batch_size=16, epochs=8, optimizer=srcgrad.optim.Adam(0.05),
                             progress=False)
    assert type(p) is Params and p.W.shape == (3, 2)
    assert history.epoch["loss"][-1] < 0.5 * history.epoch["loss"][0]
    assert linear_loss(p, x, y) < linear_loss(p0, x, y)
    assert np.all(p0.W == 0)  # fit leaves its argument alone


def test_fit_keeps_static_fields_and_resumes_from_a_checkpoint(tmp_path):
    x, y = _regression_data()

    def loss(p, x, y):
        return np.mean((p.activation(x @ p.W) - y) ** 2) * p.scale

    p0 = Configured(np.zeros((3, 2)), 1.0, activation=np.tanh, name="head")
    opt = srcgrad.optim.SGD(0.1)
    straight, _ = srcgrad.fit(loss, p0, (x, y), batch_size=16, epochs=3, optimizer=opt, progress=False)
    path = os.fspath(tmp_path / "run.npz")
    srcgrad.fit(loss, p0, (x, y), batch_size=16, epochs=1, optimizer=opt, progress=False, checkpoint=path)
    resumed, _ = srcgrad.fit(loss, p0, (x, y), batch_size=16, epochs=3, optimizer=opt, progress=False,
                             checkpoint=path, resume=True)
    for p in (straight, resumed):
        assert type(p) is Configured and p.activation is np.tanh and p.name == "head" and p.note is None
    np.testing.assert_array_equal(resumed.W, straight.W)
    assert resumed.scale == straight.scale


def test_resume_refuses_a_checkpoint_of_another_record_type(tmp_path):
    x, y = _regression_data()
    path = os.fspath(tmp_path / "run.npz")
    srcgrad.fit(linear_loss, params_of(Params), (x, y), epochs=1, progress=False, checkpoint=path)
    with pytest.raises(ValueError, match="parameter structure differs"):
        srcgrad.fit(linear_loss, params_of(Layer), (x, y), epochs=2, progress=False, checkpoint=path, resume=True)


@pytest.mark.parametrize("cls", [Params, FrozenLayer], ids=lambda c: c.__name__)
def test_optimizer_update_returns_the_record_type(cls):
    p, g = params_of(cls), params_of(cls)
    opt = srcgrad.optim.SGD(0.1)
    new, _ = opt.update(p, g, opt.init(p))
    assert type(new) is cls
    np.testing.assert_allclose(new.W, p.W - 0.1 * g.W, rtol=1e-15)
    np.testing.assert_allclose(new.b, p.b - 0.1 * g.b, rtol=1e-15)


# ---- what is refused, and how -----------------------------------------------------------------------


class PlainModel:
    """Parameters as attributes of an ordinary object whose method changes it."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.last_input = x
        return x @ self.W + self.b


def test_a_plain_object_argument_is_refused_with_the_way_out():
    def loss(model, x, y):
        return np.mean((model.forward(x) - y) ** 2)

    with pytest.raises(srcgrad.WrtError, match="PlainModel object that keeps its numbers as attributes") as info:
        srcgrad.grad(loss)(PlainModel(*params_of(Params)), X, Y)
    assert "a dict, a typing.NamedTuple or a @dataclasses.dataclass" in info.value.hint


def test_plain_objects_in_a_list_are_refused_at_the_line_that_reads_them():
    def loss(layers, x):
        return np.sum(x @ layers[0].W)

    with pytest.raises(srcgrad.NotDifferentiableError, match=r"attribute \.W of a PlainModel object") as info:
        srcgrad.grad(loss)([PlainModel(*params_of(Params))], X)
    assert info.value.origin is not None and "layers[0].W" in info.value.origin.text
    assert "NamedTuple" in info.value.hint and "dataclass" in info.value.hint


def test_a_method_of_plain_objects_in_a_list_is_refused_with_the_way_out():
    def loss(models, x):
        return np.sum(models[0].forward(x))

    refused = r"method call \.forward\(\.\.\.\) of a PlainModel"
    with pytest.raises(srcgrad.NotDifferentiableError, match=refused) as info:
        srcgrad.grad(loss)([PlainModel(*params_of(Params))], X)
    assert "models[0].forward(x)" in info.value.origin.text
    assert "a dict, a typing.NamedTuple or a @dataclasses.dataclass" in info.value.hint


def test_a_plain_object_built_inside_the_function_is_refused_as_before():
    def loss(params, x):
        model = PlainModel(params["W"], params["b"])
        return np.sum(model.forward(x))

    with pytest.raises(srcgrad.NotDifferentiableError, match="holds numbers of its own") as info:
        srcgrad.grad(loss)({"W": np.ones((3, 2)), "b": np.ones(2)}, X)
    assert "Pass those values to the function as arguments" in info.value.hint


@dataclasses.dataclass
class WithProperty:
    W: np.ndarray

    @property
    def WT(self):
        return self.W.T


def test_a_property_of_a_dataclass_is_refused_by_name():
    def loss(p, x):
        return np.sum(p.WT @ x.T)

    with pytest.raises(srcgrad.NotDifferentiableError, match=r"\.WT of the dataclass .*WithProperty: it is not one of"):
        srcgrad.grad(loss)(WithProperty(np.ones((3, 2))), X)


class Gaussian(NamedTuple):
    mean: np.ndarray
    std: np.ndarray


def test_fields_named_like_array_methods_are_fields():
    def nll(p, x):
        return np.sum((x - p.mean) ** 2 / p.std ** 2 + 2 * np.log(p.std))

    p, x = Gaussian(np.array([0.5, -1.0]), np.array([1.5, 0.7])), np.array([1.0, 2.0])
    d_mean, d_std = 2 * (p.mean - x) / p.std ** 2, -2 * (x - p.mean) ** 2 / p.std ** 3 + 2 / p.std
    g = srcgrad.grad(nll)(p, x)
    assert type(g) is Gaussian
    np.testing.assert_allclose(g.mean, d_mean, rtol=1e-12)
    np.testing.assert_allclose(g.std, d_std, rtol=1e-12)
    _, slope = srcgrad.jvp(nll)(p, x, p)
    assert slope == pytest.approx(np.sum(d_mean * p.mean) + np.sum(d_std * p.std), rel=1e-12)


@pytest.mark.parametrize("field", ["T", "size"])
def test_a_field_named_like_an_array_attribute_is_refused(field):
    Odd = NamedTuple("Odd", [("W", np.ndarray), (field, np.ndarray)])

    def loss(p):
        return np.sum(p.W * p[1])

    with pytest.raises(srcgrad.WrtError, match=rf"field \.{field} holding numbers"):
        srcgrad.grad(loss)(Odd(np.ones(2), np.ones(2)))
    with pytest.raises(srcgrad.WrtError, match=rf"field \.{field} holding numbers"):
        srcgrad.jvp(loss)(Odd(np.ones(2), np.ones(2)), Odd(np.ones(2), np.ones(2)))


def test_building_a_record_inside_the_function_is_refused_clearly():
    def loss(p, x):
        q = Params(2 * p.W, p.b)
        return np.sum(x @ q.W + q.b)

    with pytest.raises(srcgrad.NotDifferentiableError, match="cannot yet differentiate building a Params"):
        srcgrad.grad(loss)(params_of(Params), X)
