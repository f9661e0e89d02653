"""The training driver: batching, micro-batches, history, metrics, callbacks, non-finite steps.

Driver logic is tested with hand-derived gradients (tests/train_models.py); the last tests
run the real compiler.
"""
import io
import sys

import numpy as np
import pytest

import srcgrad
from srcgrad import optim
from srcgrad.errors import NonFiniteError
from srcgrad.train import History, evaluate, fit
from srcgrad.train.batching import Batch, epoch_batches, epoch_order
from srcgrad.train.step import batch_value_and_grad
from train_models import accuracy_metric, blobs, init_params, xent_loss, xent_value_and_grad

X, Y = blobs()


def train(**kw):
    kw.setdefault("optimizer", optim.SGD(0.1))
    kw.setdefault("value_and_grad", xent_value_and_grad)
    return fit(xent_loss, kw.pop("params", init_params()), kw.pop("data", (X, Y)), **kw)


def test_training_lowers_the_loss_and_records_history():
    params, history = train(batch_size=8, epochs=5)
    assert isinstance(history, History)
    assert len(history.loss) == 5 * 7  # 50 examples in batches of 8: 7 per epoch
    assert history.step["size"][:7] == [8] * 6 + [2]
    assert len(history.epoch_loss) == 5 and history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]
    assert history.step["lr"] == [0.1] * 35
    assert history.epoch["step"] == [7, 14, 21, 28, 35]
    assert xent_loss(params, X, Y) < xent_loss(init_params(), X, Y)


def test_params_in_are_not_modified_and_structure_is_kept():
    p0 = {"layer": [init_params()["W"], (init_params()["b"],)]}
    before = p0["layer"][0].copy()

    def vg(params, x, y):
        loss, g = xent_value_and_grad({"W": params["layer"][0], "b": params["layer"][1][0]}, x, y)
        return loss, {"layer": [g["W"], (g["b"],)]}

    params, _ = fit(None, p0, (X, Y), epochs=1, value_and_grad=vg, optimizer=optim.SGD(0.1))
    np.testing.assert_array_equal(p0["layer"][0], before)
    assert isinstance(params["layer"], list) and isinstance(params["layer"][1], tuple)
    assert not np.array_equal(params["layer"][0], before)


def test_default_optimizer_is_adam_1e3():
    _, history = fit(xent_loss, init_params(), (X, Y), value_and_grad=xent_value_and_grad, epochs=1)
    assert set(history.step["lr"]) == {1e-3}


def test_epoch_loss_is_the_mean_over_examples_with_a_partial_last_batch():
    data = (np.arange(10.0)[:, None],)

    def vg(params, x):  # loss = mean of the batch's x, zero gradient
        return np.mean(x), {"w": np.zeros(1)}

    _, history = fit(None, {"w": np.zeros(1)}, data, batch_size=4, value_and_grad=vg, shuffle=False)
    assert history.step["loss"] == [1.5, 5.5, 8.5]
    assert history.epoch_loss == [4.5]  # not the mean of the batch means (5.1667)
    _, history = fit(None, {"w": np.zeros(1)}, data, batch_size=4, value_and_grad=vg, shuffle=False,
                     drop_last=True)
    assert history.step["loss"] == [1.5, 5.5] and history.epoch_loss == [3.5]


def test_shuffling_is_reproducible_from_seed_and_epoch():
    orders = [epoch_order(20, seed=3, epoch=e, shuffle=True) for e in range(3)]
    assert all(sorted(o) == list(range(20)) for o in orders)
    assert not np.array_equal(orders[0], orders[1])
    np.testing.assert_array_equal(orders[2], epoch_order(20, seed=3, epoch=2, shuffle=True))
    assert not np.array_equal(orders[0], epoch_order(20, seed=4, epoch=0, shuffle=True))
    a, _ = train(batch_size=8, epochs=2, seed=5)
    b, _ = train(batch_size=8, epochs=2, seed=5)
    c, _ = train(batch_size=8, epochs=2, seed=6)
    np.testing.assert_array_equal(a["W"], b["W"])
    assert not np.array_equal(a["W"], c["W"])


def test_batches_cover_the_epoch():
    batches = list(epoch_batches((X, Y), 16, shuffle=True, seed=0, epoch=1))
    assert [b.size for b in batches] == [16, 16, 16, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate([b.indices for b in batches])), np.arange(50))
    np.testing.assert_array_equal(batches[0].take()[0], X[batches[0].indices])


def test_micro_batch_gradient_equals_full_batch_gradient():
    batch = Batch(number=0, size=23, arrays=(X, Y), indices=np.arange(3, 26))
    params = init_params()
    seen = []

    def vg(p, x, y):
        seen.append(len(y))
        return xent_value_and_grad(p, x, y)

    full_loss, full = batch_value_and_grad(vg, params, list(params.values()), batch, None)
    loss, micro = batch_value_and_grad(vg, params, list(params.values()), batch, 5)
    assert seen == [23, 5, 5, 5, 5, 3]  # one micro-batch at a time
    assert loss == pytest.approx(full_loss, rel=1e-14)
    for g, h in zip(micro, full, strict=True):
        np.testing.assert_allclose(g, h, rtol=1e-13, atol=1e-16)
    # and against the closed form on the gathered batch, computed independently
    _, direct = xent_value_and_grad(params, X[3:26], Y[3:26])
    np.testing.assert_allclose(micro[0], direct["W"], rtol=1e-13, atol=1e-16)


def test_fit_with_micro_batches_matches_fit_without():
    a, ha = train(batch_size=23, epochs=2)
    b, hb = train(batch_size=23, epochs=2, micro_batch_size=5)
    np.testing.assert_allclose(b["W"], a["W"], rtol=1e-12)
    np.testing.assert_allclose(hb.loss, ha.loss, rtol=1e-12)


def test_float32_params_stay_float32():
    x32, _ = blobs(dtype=np.float32)
    params, _ = train(params=init_params(dtype=np.float32), data=(x32, Y), optimizer=optim.Adam(1e-2),
                      micro_batch_size=3, batch_size=8)
    assert params["W"].dtype == np.float32 and params["b"].dtype == np.float32


def nan_at_step(k, leaf="W"):
    calls = {"n": 0}

    def vg(params, x, y):
        calls["n"] += 1
        loss, g = xent_value_and_grad(params, x, y)
        if calls["n"] == k:
            g[leaf] = g[leaf].copy()
            g[leaf][0, 0] = np.nan
        return loss, g

    return vg


def test_non_finite_gradient_raises_and_keeps_the_last_good_params():
    good, _ = train(batch_size=8, epochs=1, value_and_grad=xent_value_and_grad, shuffle=False,
                    callbacks=[lambda s: setattr(s, "stop", s.step == 2)])
    with pytest.raises(NonFiniteError) as info:
        train(batch_size=8, epochs=1, value_and_grad=nan_at_step(3), shuffle=False)
    err = info.value
    message = str(err)
    assert "step 3" in message and "epoch 1, batch 3" in message
    assert 'params["W"]' in message and 'params["b"]' not in message
    assert "examples [16, 17, 18, 19, 20, 21, 22, 23]" in message
    assert err.step == 3 and err.paths == ['params["W"]']
    np.testing.assert_array_equal(err.indices, np.arange(16, 24))
    np.testing.assert_array_equal(err.params["W"], good["W"])  # the state before step 3
    assert len(err.history.loss) == 2


def test_non_finite_loss_raises():
    def vg(params, x, y):
        _, g = xent_value_and_grad(params, x, y)
        return np.inf, g

    with pytest.raises(NonFiniteError, match="the loss is inf"):
        train(value_and_grad=vg)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_non_finite_update_raises():
    def vg(params, x, y):
        loss, g = xent_value_and_grad(params, x, y)
        return loss, {"W": g["W"], "b": np.full_like(g["b"], 1e300)}

    with pytest.raises(NonFiniteError, match=r'updated value of params\["b"\]'):
        train(value_and_grad=vg, optimizer=optim.SGD(1e10))


def test_metrics_and_validation():
    _, history = train(batch_size=10, epochs=3, metrics=[accuracy_metric], val_data=(X[:20], Y[:20]))
    assert set(history.epoch) >= {"loss", "accuracy_metric", "val_loss", "val_accuracy_metric"}
    assert len(history.epoch["val_loss"]) == 3
    assert 0.0 <= history.epoch["val_accuracy_metric"][-1] <= 1.0
    _, history = train(batch_size=10, metrics={"acc": accuracy_metric})
    assert "acc" in history.epoch


def test_evaluate_weights_batches_by_size():
    params = init_params()
    assert evaluate(xent_loss, params, (X, Y), batch_size=7) == pytest.approx(xent_loss(params, X, Y), rel=1e-13)


def test_callbacks():
    steps, epochs = [], []

    class EpochLogger:
        def on_epoch_end(self, state):
            epochs.append((state.epoch, round(state.logs["loss"], 12)))

    _, history = train(batch_size=25, epochs=3, callbacks=[lambda s: steps.append(s.step), EpochLogger()])
    assert steps == [1, 2, 3, 4, 5, 6]
    assert [e for e, _ in epochs] == [0, 1, 2]
    assert [l for _, l in epochs] == [round(v, 12) for v in history.epoch_loss]

    class EarlyStop:
        def on_epoch_end(self, state):
            state.stop = state.epoch == 1

    _, history = train(batch_size=25, epochs=10, callbacks=[EarlyStop()])
    assert len(history.epoch_loss) == 2


def test_batches_from_an_iterable_or_a_callable():
    batches = [(X[:20], Y[:20]), (X[20:], Y[20:])]
    _, h1 = train(data=batches, epochs=2)
    assert h1.step["size"] == [20, 30, 20, 30]
    _, h2 = train(data=lambda epoch: iter(batches), epochs=2)
    assert h2.loss == h1.loss
    with pytest.raises(ValueError, match="no batches in epoch 2"):
        train(data=iter(batches), epochs=2)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="different first-axis lengths"):
        train(data=(X, Y[:10]))
    with pytest.raises(ValueError, match="batch_size"):
        train(batch_size=0)
    with pytest.raises(ValueError, match="need a checkpoint file"):
        train(resume=True)
    with pytest.raises(TypeError, match=r'params\["n"\] has dtype int'):
        train(params={"n": np.arange(3)})


def test_log_lines(capsys):
    train(batch_size=10, epochs=1, log_every=2, progress=False)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Train Epoch: 1 [20/50 (40%)]  Loss: {out[0].split()[-1]}"
    assert out[1].startswith("Train Epoch: 1 [40/50 (80%)]  Loss: ")
    assert out[2].startswith("Epoch 1/1  loss: ") and "examples/s" in out[2]


def test_progress_bar_is_silent_when_stderr_is_not_a_tty(capsys, monkeypatch):
    train(progress=True)
    assert capsys.readouterr().err == ""


def test_progress_bar_shows_on_a_tty(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    train(progress=True, epochs=2, batch_size=10)
    text = err.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "ex/s" in text and "loss=" in text
    train(progress=False)
    assert err.getvalue() == text


def test_history_plot(tmp_path):
    pytest.importorskip("matplotlib")
    _, history = train(batch_size=10, epochs=3, metrics=[accuracy_metric], val_data=(X, Y))
    history.plot(tmp_path / "loss.png")
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_plot_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        History().plot(tmp_path / "x.png")


# -- with the real compiler ------------------------------------------------------------------

def test_fit_with_the_compiler_compiles_once_and_learns(monkeypatch):
    calls = []
    real = srcgrad.value_and_grad

    def counting(f, wrt=0):
        calls.append(f)
        return real(f, wrt=wrt)

    monkeypatch.setattr(srcgrad, "value_and_grad", counting)
    params, history = fit(xent_loss, init_params(), (X, Y), batch_size=10, epochs=5, optimizer=optim.SGD(0.1))
    assert calls == [xent_loss]
    assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]


def test_compiled_gradient_with_micro_batches_matches_hand_derived_full_batch():
    params = init_params()
    vg = srcgrad.value_and_grad(xent_loss, wrt=0)
    batch = Batch(number=0, size=23, arrays=(X, Y), indices=np.arange(23))
    loss, grads = batch_value_and_grad(vg, params, list(params.values()), batch, 5)
    ref_loss, ref = xent_value_and_grad(params, X[:23], Y[:23])
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(grads[0], ref["W"], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(grads[1], ref["b"], rtol=1e-10, atol=1e-15)


def test_compiled_training_keeps_float32():
    x32, _ = blobs(dtype=np.float32)
    params, _ = fit(xent_loss, init_params(dtype=np.float32), (x32, Y), batch_size=16, micro_batch_size=5,
                    optimizer=optim.Adam(1e-2), progress=False)
    assert params["W"].dtype == np.float32 and params["b"].dtype == np.float32


def exp_loss(params, x):
    return np.mean(np.exp(x @ params["v"]))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_compiled_non_finite_loss_names_the_step_and_parameter():
    x = np.array([[1.0], [2.0], [1000.0], [4.0]])  # the third example overflows exp()
    with pytest.raises(NonFiniteError) as info:
        fit(exp_loss, {"v": np.array([1.0]), "unused": np.zeros(2)}, (x,), batch_size=2, shuffle=False,
            optimizer=optim.SGD(0.0), progress=False)
    message = str(info.value)
    assert "step 2 (epoch 1, batch 2) on examples [2, 3]: the loss is inf" in message
    assert 'params["v"]' in message and 'params["unused"]' not in message
    np.testing.assert_array_equal(info.value.params["v"], [1.0])
