"""Chained assignment that rebinds a varied name to a constant (fuzz feature chain_assign)."""
import numpy as np
import pytest

import srcgrad


def rebind_by_chain(a):
    s = a
    t = s = np.tanh(0.5)
    return s


def rebind_parameter_by_chain(a):
    t = a = np.tanh(0.5)
    return a


def test_chained_assignment_overwrites_a_varied_name() -> None:
    value, g = srcgrad.value_and_grad(rebind_by_chain)(0.7)
    assert value == rebind_by_chain(0.7)
    assert g == 0.0


def test_chained_assignment_overwrites_the_parameter() -> None:
    g = srcgrad.grad(rebind_parameter_by_chain)(0.7)
    assert type(g) is float and g == 0.0
