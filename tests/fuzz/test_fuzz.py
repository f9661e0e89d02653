"""Generated programs through every oracle (CI size), and tests that the oracles can fail.

The fuzz tests draw small programs (tests/fuzz/strategy.py) and judge srcgrad on each with
tests/fuzz/oracles.py. Failures explained by a known, already reported bug (known.py) are
tolerated; any other fails the test with the shrunk program in the hypothesis output.

    SRCGRAD_FUZZ_PROGRAMS=5000 python -m pytest tests/fuzz -p no:cacheprovider   # more programs
    SRCGRAD_FUZZ_SEED=7 ...                                                     # another stream

By default the stream is fixed (derandomized), so CI is reproducible. For runs of thousands of
programs with a report, use `python -m tests.fuzz.run` (see run.py).
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from . import known
from .driver import check
from .strategy import programs

PROGRAMS = int(os.environ.get("SRCGRAD_FUZZ_PROGRAMS", 1000))
SEED = os.environ.get("SRCGRAD_FUZZ_SEED")
SMALL = dict(statements=5, helpers=1, depth=1)


class WrongValue(AssertionError):
    pass


class WrongGradient(AssertionError):
    pass


class WrongJvp(AssertionError):
    pass


class WrongSecondDerivative(AssertionError):
    pass


class Crash(AssertionError):
    pass


class Refusal(AssertionError):
    pass


# one exception type per category: hypothesis shrinks each kind of failure separately
ERRORS = {"value": WrongValue, "gradient": WrongGradient, "jvp": WrongJvp, "second": WrongSecondDerivative,
          "crash": Crash, "refusal": Refusal}


def fuzz_settings(share: float):
    """Settings for a test that checks `share` of the programs."""
    chosen = settings(max_examples=max(1, round(PROGRAMS * share)), deadline=None, database=None,
                      derandomize=SEED is None, suppress_health_check=list(HealthCheck))

    def apply(test):
        test = chosen(test)
        return hypothesis_seed(int(SEED))(test) if SEED is not None else test
    return apply


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("fuzz")


def judge(program, directory, **oracles) -> None:
    """Check one program; raise the category's error for a failure no known bug explains."""
    checked = check(program, directory, **oracles)
    assume(checked.outcome.status == "checked")
    note(program.describe())
    for failure in checked.outcome.failures:
        if known.explain(failure, program.features) is None:
            note(f"judged at {checked.args!r}")
            raise ERRORS[failure.category](f"{failure.category} ({failure.oracle}): {failure.message}")


@fuzz_settings(0.55)
@given(program=programs(**SMALL))
def test_value_and_gradient(program, program_dir) -> None:
    """value_and_grad: exact value, gradient structure, finite differences and autograd."""
    judge(program, program_dir, jvp=False, second=False)


@fuzz_settings(0.25)
@given(program=programs(**SMALL))
def test_jvp(program, program_dir) -> None:
    """Forward mode: exact value, tangent vs finite differences along a random direction."""
    judge(program, program_dir, gradient=False, autograd=False, second=False)


@fuzz_settings(0.2)
@given(program=programs(scalar_wrt=True, **SMALL))
def test_second_derivative(program, program_dir) -> None:
    """grad(grad(f)) w.r.t. one float64 scalar vs second differences of f."""
    judge(program, program_dir, gradient=False, autograd=False, jvp=False)
