"""Random programs (`programs.programs()`) differentiated by srcgrad vs float64 central differences.

Each example writes the program to a .py file in a session temp dir, imports it, rejects points
where a data-dependent comparison is near its boundary (the instrumented copy must take the same
path at every finite-difference point), then checks value and gradient w.r.t. a, b, x, y.

The default run draws 200 examples. For thousands, locally:

    SRCGRAD_HYPOTHESIS_EXAMPLES=5000 python -m pytest tests/test_programs.py -p no:cacheprovider

(add `--hypothesis-seed=N` for a different stream, `--hypothesis-show-statistics` for counts).
A failure prints the shrunk program and its arguments.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings

import programs
from gradcheck import check_grad

EXAMPLES = int(os.environ.get("SRCGRAD_HYPOTHESIS_EXAMPLES", 200))


@pytest.fixture(scope="session")
def program_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("programs")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(program=programs.programs())
def test_random_program_gradient(program: programs.Program, program_dir) -> None:
    note(repr(program))
    inst = programs.load(program.source(instrumented=True), program_dir)
    try:
        stable = programs.stable_path(inst, program.args)
    except FloatingPointError:
        stable = False
    assume(stable)
    module = programs.load(program.source(), program_dir)
    check_grad(module.f, program.args, wrt=(0, 1, 2, 3), with_value=True, rtol=1e-4, atol=1e-6)


def test_render_plain_and_instrumented() -> None:
    text = "if CMP[np.sin(a)|>|0.3]CMP:"
    assert programs.render(text, False) == "if (np.sin(a)) > (0.3):"
    assert programs.render(text, True) == "if (_rec((np.sin(a)) - (0.3)) > 0):"


def test_stable_path_rejects_a_point_on_a_branch_boundary(tmp_path) -> None:
    body = "def f(a, b, x, y, n):\n    if CMP[a|>|0.5]CMP:\n        return a * b\n    return b\n"
    program = programs.Program(body, (0.5, 1.0, np.zeros(4), np.zeros(4), 1))
    inst = programs.load(program.source(instrumented=True), tmp_path)
    assert not programs.stable_path(inst, program.args)
    program.args = (0.8, 1.0, np.zeros(4), np.zeros(4), 1)
    assert programs.stable_path(inst, program.args)
