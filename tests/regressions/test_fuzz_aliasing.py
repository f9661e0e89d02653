"""Writes through a second name for one array (fuzz features alias_name, alias_aug, alias_view, alias_list).

For these programs srcgrad may refuse with a SrcgradError, but must never return a wrong number.
(They used to: the augmented assignments changed the value, the other writes gave a gradient of 0.0.)
"""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import derivative


def scale_through_alias(a):
    buf = np.ones(3) * a
    z = buf
    z *= 0.5
    return np.sum(buf)


def add_through_alias(a):
    buf = np.zeros(3)
    z = buf
    z += a
    return np.sum(buf)


def write_through_alias(a):
    y = np.zeros(3)
    z = y
    z[0] = a * a
    return np.sum(y)


def write_under_a_view(a):
    buf = np.zeros((2, 3))
    row = buf[0]
    buf[0, 1] = a * a
    return np.sum(row)


def write_after_append(a):
    buf = np.zeros(3)
    hs = []
    hs.append(buf)
    buf[1] = a * a
    return np.sum(np.stack(hs))


def refused_or_right(f, a: float) -> None:
    """srcgrad either refuses clearly or returns f's value and the finite-difference gradient."""
    try:
        value, g = srcgrad.value_and_grad(f)(a)
    except srcgrad.SrcgradError:
        return
    assert value == f(a)
    assert g == pytest.approx(derivative(f, a), rel=1e-6)


@pytest.mark.parametrize("f", [scale_through_alias, add_through_alias])
def test_augmented_assignment_through_a_second_name(f) -> None:
    refused_or_right(f, 0.7)


@pytest.mark.parametrize("f", [write_through_alias, write_under_a_view, write_after_append])
def test_write_seen_through_another_name(f) -> None:
    refused_or_right(f, 0.7)
