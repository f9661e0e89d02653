"""Large fuzzing runs outside CI: many generated programs, every new failure shrunk by hypothesis.

    python -m tests.fuzz.run --programs 20000 --seed 7 --report /tmp/fuzz.md

Single process. Prints progress, then counts per outcome and failure category, the total time,
and for each distinct failure the shrunk program, its arguments and the disagreement (also written
to --report as markdown). A failure is "distinct" when no known bug (known.py) and no failure
shrunk earlier in the run explains it; every later failure it explains is only counted.

How: hypothesis draws programs with `@seed(seed)`; the first unexplained failure stops generation
and hypothesis shrinks the program while it keeps failing the same way (same category, oracle and
exception type, not explained by anything known); the run then resumes with the next seed.
"""
import argparse
import collections
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from . import known
from .driver import Checked, check
from .oracles import CATEGORIES, Failure
from .program import show_value
from .strategy import programs

SIZES = {"small": dict(statements=5, helpers=1, depth=1), "large": dict(statements=12, helpers=2, depth=2)}


class _Found(Exception):
    """Raised inside the hypothesis test to make it shrink a new failure."""


@dataclasses.dataclass
class Finding:
    """A distinct failure: the first program that showed it and the shrunk one."""

    failure: Failure
    first: Checked
    shrunk: Checked | None = None


@dataclasses.dataclass
class Run:
    """Counts and findings of one run."""

    programs: int = 0
    outcomes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    categories: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    known_counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    ran: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    findings: list[Finding] = dataclasses.field(default_factory=list)
    learned: list[known.KnownBug] = dataclasses.field(default_factory=list)  # made from shrunk findings
    seconds: float = 0.0

    def explain(self, failure: Failure, features: frozenset[str]) -> str | None:
        entry = known.explain(failure, features)
        if entry is not None:
            return entry.test
        for i, learned in enumerate(self.learned):
            if learned.explains(failure, features):
                return f"finding {i + 1}"
        return None


def _signature(failure: Failure) -> tuple[str, str, str]:
    return failure.category, failure.oracle, failure.error


def _incidental(feature: str) -> bool:
    return feature.startswith("arg_")


def fuzz(count: int, seed: int, directory: Path, size: str = "large", shrink: bool = True,
         progress=print, every: int = 100) -> Run:
    """Check `count` generated programs; return counts and shrunk findings."""
    run = Run()
    state: dict = {"target": None, "last": None}
    start = time.time()

    def judge(program) -> None:
        if _interesting(program):
            raise _Found  # one raise site: hypothesis tells failures apart by where they are raised

    def _interesting(program) -> bool:
        checked = check(program, directory)
        if state["target"] is not None:  # shrinking: keep failing the same new way
            for failure in checked.outcome.failures:
                if _signature(failure) == state["target"] and run.explain(failure, program.features) is None:
                    state["last"] = (checked, failure)
                    return True
            return False
        run.programs += 1
        run.outcomes[checked.outcome.status] += 1
        run.ran.update(checked.outcome.ran)
        for category in {f.category for f in checked.outcome.failures}:
            run.categories[category] += 1
        new = None
        for failure in checked.outcome.failures:
            explained = run.explain(failure, program.features)
            if explained is None:
                new = new or failure
            else:
                run.known_counts[explained] += 1
        if run.programs % every == 0:
            progress(f"{run.programs} programs, {time.time() - start:.0f} s, outcomes {dict(run.outcomes)}, "
                     f"failures {dict(run.categories)}")
        if new is None:
            return False
        run.findings.append(Finding(new, checked))
        state["target"], state["last"] = _signature(new), (checked, new)
        return True

    current = seed
    while run.programs < count:
        before = run.programs
        phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
        test = settings(max_examples=count - run.programs, database=None, deadline=None, phases=phases,
                        report_multiple_bugs=False, suppress_health_check=list(HealthCheck))(
            given(programs(**SIZES[size]))(judge))
        state["target"] = None
        found = len(run.findings)
        try:
            hypothesis_seed(current)(test)()
        except Exception as exc:  # _Found, or hypothesis reporting it as flaky (e.g. a timeout under load)
            if len(run.findings) == found:
                raise
            if not isinstance(exc, _Found):
                progress(f"(shrinking ended with {type(exc).__name__}; reporting the smallest failing program seen)")
            finding = run.findings[-1]
            finding.shrunk, failure = state["last"]
            features = frozenset(f for f in finding.shrunk.program.features if not _incidental(f))
            run.learned.append(known.KnownBug(f"finding {len(run.findings)}", failure.category, features,
                                              frozenset([failure.oracle]), failure.error))
            progress(f"new failure ({failure.category}, {failure.oracle}) after {run.programs} programs:\n"
                     + describe(finding))
        current += 1
        if run.programs == before:
            break
    run.seconds = time.time() - start
    return run


def describe(finding: Finding) -> str:
    shown = finding.shrunk or finding.first
    failure = finding.failure if finding.shrunk is None else next(
        (f for f in shown.outcome.failures if _signature(f) == _signature(finding.failure)), finding.failure)
    program = shown.program
    args = ", ".join(f"{p.name}={show_value(a)}" for p, a in zip(program.params, shown.args, strict=True))
    return (f"```python\n{program.describe()}```\n\n"
            f"- judged at: f({args})\n- {failure.category} ({failure.oracle}): {failure.message}\n"
            f"- features: {', '.join(sorted(program.features))}\n")


def report(run: Run, seed: int, size: str) -> str:
    lines = [f"# srcgrad fuzz run: {run.programs} programs, seed {seed}, size {size}, {run.seconds:.0f} s", ""]
    lines += ["| outcome | programs |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(run.outcomes.items())]
    lines += ["", "Programs with at least one failure, per category (known bugs included):", "",
              "| category | programs |", "|---|---:|"]
    lines += [f"| {c} | {run.categories.get(c, 0)} |" for c in CATEGORIES]
    lines += ["", "Oracles that ran (programs):", "", "| oracle | programs |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(run.ran.items())]
    if run.known_counts:
        lines += ["", "Failures explained by known bugs or earlier findings:", "", "| bug | failures |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in run.known_counts.most_common()]
    for i, finding in enumerate(run.findings, 1):
        lines += ["", f"## Finding {i}: {finding.failure.category} ({finding.failure.oracle})", "", describe(finding)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--no-shrink", action="store_true")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="srcgrad_fuzz_") as directory:
        run = fuzz(options.programs, options.seed, Path(directory), options.size, not options.no_shrink,
                   progress=lambda text: print(text, flush=True))
    text = report(run, options.seed, options.size)
    print(text)
    if options.report:
        options.report.write_text(text)
    return 1 if run.findings else 0


if __name__ == "__main__":
    sys.exit(main())
