"""srcgrad on a corpus of realistic NumPy/SciPy loss functions (tests/realistic/README.md).

For every case of every corpus module: value_and_grad's value equals f(*args), the gradient equals
self-checked float64 central finite differences, and for modules autograd can run (AUTOGRAD) it
equals autograd's on a copy of the module. Cases srcgrad gets wrong or refuses today are strict
xfails (known.py), each expecting its exact exception: a fix flips them to XPASS, which fails, and
`python tests/realistic/survey.py` shows what changed.

    python -m pytest tests/realistic -p no:cacheprovider
"""
import numpy as np
import pytest

from . import corpus, known

CASES = corpus.all_cases()
MIN_MODULES = 50


def _param(case: corpus.Case):
    expected = known.KNOWN.get(case.id)
    marks = []
    if expected is not None:
        marks.append(pytest.mark.xfail(strict=True, raises=expected.raises, reason=f"{expected.kind}: {expected.reason}"))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_srcgrad_matches_value_finite_differences_and_autograd(case: corpus.Case) -> None:
    corpus.check_case(case)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES if corpus.uses_autograd(case)])
def test_autograd_copy_matches_finite_differences(case: corpus.Case) -> None:
    """The autograd oracle itself, without srcgrad: a copy that disagrees with f must not judge srcgrad."""
    corpus.check_autograd_copy(case)


def test_corpus_is_large_and_well_formed() -> None:
    names = corpus.module_names()
    assert len(names) >= MIN_MODULES, f"only {len(names)} corpus modules"
    for name in names:
        module = corpus.load(name)
        assert module.__doc__, f"{name}: say in a docstring what the loss is and where its style comes from"
        assert isinstance(getattr(module, "AUTOGRAD", None), bool | set), f"{name}: AUTOGRAD must be a bool or a set"
        assert module.cases(), f"{name}: no cases"
        if isinstance(module.AUTOGRAD, set):
            qualnames = {case.fn.__qualname__ for case in corpus.module_cases(name)}
            assert module.AUTOGRAD <= qualnames, f"{name}: AUTOGRAD names {module.AUTOGRAD - qualnames}, not cases"


def test_known_failures_name_existing_cases() -> None:
    ids = {case.id for case in CASES}
    stale = sorted(set(known.KNOWN) - ids)
    assert not stale, f"known.py lists cases that do not exist: {stale}"
    kinds = {entry.kind for entry in known.KNOWN.values()}
    assert kinds <= {"wrong", "crash", "misleading", "refused"}, kinds


def test_cases_are_deterministic() -> None:
    """Each loss returns the same value twice (seeded RandomStates inside, no hidden state)."""
    for case in CASES:
        first, second = corpus.scalar(corpus.call(case.fn, case.args)), corpus.scalar(corpus.call(case.fn, case.args))
        assert first == second or np.isclose(first, second, rtol=1e-14), case.id
