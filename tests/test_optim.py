"""Optimizers against two steps of PyTorch's documented update equations, computed by hand."""
import math

import numpy as np
import pytest

from srcgrad import optim

P0 = [0.5, -1.5]
G1 = [0.2, -0.4]
G2 = [-0.1, 0.3]


def two_steps(opt, p0=P0, dtype=np.float64):
    params = {"w": np.array(p0, dtype=dtype)}
    state = opt.init(params)
    p1, state = opt.update(params, {"w": np.array(G1, dtype=dtype)}, state)
    p2, state = opt.update(p1, {"w": np.array(G2, dtype=dtype)}, state)
    return p1["w"], p2["w"], state


def per_coordinate(update, *grads):
    """Apply a scalar update rule `update(p, g, t, slots) -> p` to each coordinate for len(grads) steps."""
    out = []
    for i, p in enumerate(P0):
        slots = {}
        for t, g in enumerate(grads, start=1):
            p = update(p, g[i], t, slots)
        out.append(p)
    return np.array(out)


def test_sgd_plain_with_weight_decay():
    lr, wd = 0.1, 0.01

    def ref(p, g, t, s):
        return p - lr * (g + wd * p)

    _, p2, state = two_steps(optim.SGD(lr, weight_decay=wd))
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-14)
    assert state["step"] == 2


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    lr, mu = 0.1, 0.9

    def ref(p, g, t, s):
        s["b"] = g if t == 1 else mu * s["b"] + g  # PyTorch: buffer = g on the first step
        return p - lr * (g + mu * s["b"] if nesterov else s["b"])

    p1, p2, _ = two_steps(optim.SGD(lr, momentum=mu, nesterov=nesterov))
    np.testing.assert_allclose(p1, per_coordinate(ref, G1), rtol=1e-14)
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-14)


def test_sgd_momentum_with_dampening_first_step_is_plain_gradient():
    lr, mu, damp = 0.1, 0.9, 0.5

    def ref(p, g, t, s):
        s["b"] = g if t == 1 else mu * s["b"] + (1 - damp) * g
        return p - lr * s["b"]

    _, p2, _ = two_steps(optim.SGD(lr, momentum=mu, dampening=damp))
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-14)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(0.1, nesterov=True)


def adam_ref(lr, b1, b2, eps, wd=0.0, decoupled=False):
    def ref(p, g, t, s):
        if decoupled:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        m_hat = s["m"] / (1 - b1**t)
        v_hat = s["v"] / (1 - b2**t)
        return p - lr * m_hat / (math.sqrt(v_hat) + eps)

    return ref


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam(wd):
    p1, p2, _ = two_steps(optim.Adam(0.01, betas=(0.8, 0.95), eps=1e-3, weight_decay=wd))
    ref = adam_ref(0.01, 0.8, 0.95, 1e-3, wd)
    np.testing.assert_allclose(p1, per_coordinate(ref, G1), rtol=1e-13)
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-13)


def test_adam_first_step_is_lr_times_sign():
    p1, _, _ = two_steps(optim.Adam(0.01, eps=0.0))
    np.testing.assert_allclose(p1, np.array(P0) - 0.01 * np.sign(G1), rtol=1e-14)


def test_adamw_decouples_weight_decay():
    p1, p2, _ = two_steps(optim.AdamW(0.01, betas=(0.8, 0.95), eps=1e-3, weight_decay=0.1))
    ref = adam_ref(0.01, 0.8, 0.95, 1e-3, 0.1, decoupled=True)
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-13)
    assert optim.AdamW().weight_decay == 1e-2  # PyTorch's default


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(centered, momentum):
    lr, alpha, eps, wd = 0.01, 0.9, 1e-6, 0.05

    def ref(p, g, t, s):
        g = g + wd * p
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
        v = s["v"]
        if centered:
            s["a"] = alpha * s.get("a", 0.0) + (1 - alpha) * g
            v = v - s["a"] ** 2
        if momentum:
            s["b"] = momentum * s.get("b", 0.0) + g / (math.sqrt(v) + eps)
            return p - lr * s["b"]
        return p - lr * g / (math.sqrt(v) + eps)

    opt = optim.RMSprop(lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered, weight_decay=wd)
    _, p2, _ = two_steps(opt)
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-13)


def test_adagrad():
    lr, decay, eps, init = 0.1, 0.5, 1e-10, 0.1

    def ref(p, g, t, s):
        clr = lr / (1 + (t - 1) * decay)
        s["sum"] = s.get("sum", init) + g * g
        return p - clr * g / (math.sqrt(s["sum"]) + eps)

    _, p2, _ = two_steps(optim.Adagrad(lr, lr_decay=decay, eps=eps, initial_accumulator_value=init))
    np.testing.assert_allclose(p2, per_coordinate(ref, G1, G2), rtol=1e-14)


ALL = [optim.SGD(0.1), optim.SGD(0.1, 0.9, nesterov=True), optim.Adam(), optim.AdamW(),
       optim.RMSprop(centered=True, momentum=0.9), optim.Adagrad()]


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_float32_stays_float32_and_inputs_are_not_modified(opt):
    params = {"W": np.ones((2, 3), np.float32), "b": [np.zeros(3, np.float32)]}
    grads = {"W": np.full((2, 3), 0.5, np.float32), "b": [np.ones(3, np.float32)]}
    state = opt.init(params)
    state_before = opt.state_to_arrays(state)
    new, new_state = opt.update(params, grads, state)
    new, new_state = opt.update(new, grads, new_state)
    assert new["W"].dtype == np.float32 and new["b"][0].dtype == np.float32
    assert all(a.dtype == np.float32 for k, a in opt.state_to_arrays(new_state).items() if k != "step")
    np.testing.assert_array_equal(params["W"], 1.0)  # pure: inputs untouched
    assert all(np.array_equal(a, opt.state_to_arrays(state)[k]) for k, a in state_before.items())


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_state_round_trips_through_flat_arrays(opt):
    params = [np.arange(3.0), np.ones((2, 2))]
    state = opt.init(params)
    _, state = opt.update(params, [np.ones(3), np.ones((2, 2))], state)
    arrays = opt.state_to_arrays(state)
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    back = opt.state_from_arrays(arrays, n_leaves=2)
    assert back["step"] == 1
    for slot in opt.slots:
        for a, b in zip(back[slot], state[slot], strict=True):
            np.testing.assert_array_equal(a, b)


def test_clip_by_global_norm_matches_torch_rule():
    g = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]  # global norm 5
    clipped = optim.clip_by_global_norm(g, 1.0)
    np.testing.assert_allclose(clipped[0], g[0] / (5.0 + 1e-6), rtol=1e-15)
    assert optim.clip_by_global_norm(g, 10.0) is g
    _, p2, _ = two_steps(optim.SGD(1.0, clip_norm=0.1))
    expected = np.array(P0) - 0.1 * np.array(G1) / (np.linalg.norm(G1) + 1e-6) \
        - 0.1 * np.array(G2) / (np.linalg.norm(G2) + 1e-6)
    np.testing.assert_allclose(p2, expected, rtol=1e-12)


def test_schedules():
    s = optim.step_lr(1.0, step_size=2, gamma=0.5)
    assert [s(t) for t in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    e = optim.exponential_lr(2.0, gamma=0.5)
    assert [e(t) for t in range(3)] == [2.0, 1.0, 0.5]
    c = optim.cosine_lr(1.0, total_steps=4, min_lr=0.2)
    np.testing.assert_allclose([c(t) for t in (0, 2, 4, 9)], [1.0, 0.6, 0.2, 0.2])
    w = optim.warmup(optim.step_lr(1.0, step_size=3, gamma=0.1), warmup_steps=4)
    np.testing.assert_allclose([w(t) for t in range(5)], [0.25, 0.5, 0.75, 0.1, 0.1])


def test_schedule_drives_the_learning_rate():
    _, p2, _ = two_steps(optim.SGD(optim.exponential_lr(0.1, gamma=0.5)))
    np.testing.assert_allclose(p2, np.array(P0) - 0.1 * np.array(G1) - 0.05 * np.array(G2), rtol=1e-15)
