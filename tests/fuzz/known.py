"""Bugs already found, reported and pinned by a regression test: recognised so runs can go on.

A failure matches a `KnownBug` when its category (and oracle and exception type, when given) are
the bug's and the program uses every construct in `features` (tags from the generator). Matched
failures are counted, not raised: the CI fuzz tests stay green while the compiler is being fixed,
and any failure not explained here fails them. When a bug is fixed, delete its entry (and the
xfail mark of its regression test).
"""
import dataclasses

from .oracles import Failure


@dataclasses.dataclass(frozen=True)
class KnownBug:
    """A reported bug: the regression test pinning it, and how to recognise its failures."""

    test: str  # tests/regressions/<file>::<test>
    category: str
    features: frozenset[str]
    oracles: frozenset[str] = frozenset()  # empty: any oracle
    error: str = ""  # exception type name, for crashes and refusals
    message: str = ""  # a part of the failure's message

    def explains(self, failure: Failure, features: frozenset[str]) -> bool:
        return (failure.category == self.category and (not self.oracles or failure.oracle in self.oracles)
                and (not self.error or failure.error == self.error) and self.message in failure.message
                and self.features <= features)


def bug(test: str, category: str, *features: str, oracles: tuple[str, ...] = (), error: str = "",
        message: str = "") -> KnownBug:
    return KnownBug(test, category, frozenset(features), frozenset(oracles), error, message)


SECOND = "tests/regressions/test_fuzz_grad_of_grad.py::"

KNOWN: list[KnownBug] = [
]


def explain(failure: Failure, features: frozenset[str], known: list[KnownBug] | None = None) -> KnownBug | None:
    """The known bug that explains `failure` in a program with these features, if any."""
    for entry in KNOWN if known is None else known:
        if entry.explains(failure, features):
            return entry
    return None
