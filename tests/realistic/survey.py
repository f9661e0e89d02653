"""Run every corpus case through srcgrad and print what happens, one line per case.

    python tests/realistic/survey.py                 # all modules
    python tests/realistic/survey.py gp_nll lstm     # some modules
    python tests/realistic/survey.py --known         # entries for known.py, from today's outcomes
    python tests/realistic/survey.py --full          # whole error messages

Outcomes: PASS; WRONG (silent wrong value or gradient); CRASH (an exception that is not a
SrcgradError: a bug inside srcgrad); REFUSED (a SrcgradError); BROKEN (the case itself, not srcgrad).
Compare with known.py to see which expected failures changed.
"""
import sys
import time
import traceback
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def outcome(case, corpus, srcgrad):
    """(kind, exception or None)."""
    try:
        corpus.check_case(case)
    except (corpus.WrongValue, corpus.WrongGradient, corpus.WrongStructure) as exc:
        return "WRONG", exc
    except corpus.BrokenCase as exc:
        return "BROKEN", exc
    except srcgrad.SrcgradError as exc:
        return "REFUSED", exc
    except Exception as exc:  # noqa: BLE001 - any other exception is srcgrad crashing
        return "CRASH", exc
    return "PASS", None


def first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def main(argv: list[str]) -> None:
    import srcgrad
    from realistic import corpus, known

    full = "--full" in argv
    emit = "--known" in argv
    names = [a for a in argv if not a.startswith("--")] or corpus.module_names()
    counts: dict[str, int] = {}
    start = time.perf_counter()
    for name in names:
        for case in corpus.module_cases(name):
            t0 = time.perf_counter()
            kind, exc = outcome(case, corpus, srcgrad)
            counts[kind] = counts.get(kind, 0) + 1
            expected = known.KNOWN.get(case.id)
            mark = ""
            if expected is None and kind != "PASS":
                mark = "  <-- NEW FAILURE"
            elif expected is not None and kind == "PASS":
                mark = "  <-- NOW PASSES"
            elif expected is not None and exc is not None and not isinstance(exc, expected.raises):
                mark = f"  <-- WAS {expected.raises.__name__}"
            if emit:
                if kind != "PASS":
                    print(f"    {case.id!r}: {kind.lower()}({type(exc).__name__}, {first_line(exc)!r}),")
                continue
            print(f"{kind:8s} {time.perf_counter() - t0:5.2f}s {case.id}{mark}")
            if exc is not None:
                if full:
                    print("".join(traceback.format_exception(exc)) if kind == "CRASH" else str(exc))
                else:
                    print(f"         {first_line(exc)[:300]}")
    print(f"# {sum(counts.values())} cases: {counts}  ({time.perf_counter() - start:.1f}s)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
