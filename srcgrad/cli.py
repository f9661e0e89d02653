"""The command line: `python -m srcgrad show path/to/file.py:function [--wrt 0,1|name] [--mode reverse|forward]`.

Usage errors (a missing file or function, a function srcgrad rejects) print one message to
stderr and exit with status 2, without a traceback: they are the user's to fix, not bugs.
"""
import argparse
import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


class UsageError(Exception):
    """An error in what the user asked for; printed without a traceback."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of `srcgrad` and `python -m srcgrad`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="srcgrad", description="Source-to-source automatic differentiation.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    show = commands.add_parser("show", help="print the generated derivative code of a function",
                               description="Print the code srcgrad generates to differentiate FUNCTION.")
    show.add_argument("target", metavar="FILE.py:FUNCTION", help="a Python file and a function defined in it")
    show.add_argument("--wrt", default="0", help="argument(s) to differentiate: positions or names, "
                                                  "comma-separated (default: 0)")
    show.add_argument("--mode", choices=("reverse", "forward"), default="reverse", help="default: reverse")
    args = parser.parse_args(argv)
    try:
        text = show_code(args.target, parse_wrt(args.wrt), args.mode)
    except UsageError as err:
        print(f"srcgrad: error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(highlight(text) if _isatty(sys.stdout) else text)
    return 0


def parse_wrt(text: str) -> int | str | tuple[int | str, ...]:
    """`"0"` -> 0, `"0,1"` -> (0, 1), `"params"` -> "params", `"a,b"` -> ("a", "b").

    >>> parse_wrt("0"), parse_wrt("0, 1"), parse_wrt("params")
    (0, (0, 1), 'params')
    """
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise UsageError("--wrt needs an argument position or name")
    for s in items:
        if not (s.isdigit() or s.isidentifier()):
            raise UsageError(f"--wrt: {s!r} is neither an argument position nor a name")
    values = tuple(int(s) if s.isdigit() else s for s in items)
    return values[0] if len(values) == 1 else values


def show_code(target: str, wrt: Any, mode: str = "reverse") -> str:
    """The text `srcgrad.show` prints for the function named by `FILE.py:FUNCTION`."""
    func = load_function(target)
    import srcgrad
    from srcgrad.errors import SrcgradError

    kwargs = {"wrt": wrt} if mode == "reverse" else {"wrt": wrt, "mode": mode}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            returned = srcgrad.show(func, **kwargs)
    except SrcgradError as err:
        raise UsageError(str(err)) from None
    except TypeError:
        if mode != "reverse":
            raise UsageError(f"{mode} mode is not available yet; use --mode reverse") from None
        raise
    text = out.getvalue() or (returned if isinstance(returned, str) else "")
    return text if text.endswith("\n") else text + "\n"


def load_function(target: str) -> Any:
    """Import FILE.py (as a module named after it, its directory on sys.path) and return FUNCTION."""
    file, sep, name = target.rpartition(":")
    if not sep or not file or not name:
        raise UsageError(f"expected FILE.py:FUNCTION, got {target!r}")
    module = load_module(Path(file))
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            defined = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_")
                             and getattr(v, "__module__", None) == module.__name__)
            raise UsageError(f"{file} defines no function {name!r}"
                             + (f" (it defines: {', '.join(defined)})" if defined else ""))
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{file}:{name} is a {type(obj).__name__}, not a function")
    return obj


def load_module(path: Path) -> ModuleType:
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    path = path.resolve()
    name = re.sub(r"\W", "_", path.stem)
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) != str(path):
        name = f"_srcgrad_cli_{name}"  # don't shadow an imported module of the same name
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # so the file's own imports of its neighbours work
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as err:
        del sys.modules[name]
        raise UsageError(f"importing {path} failed: {type(err).__name__}: {err}") from None
    return module


def highlight(text: str) -> str:
    """Terminal colours for Python code when pygments is installed; the text unchanged otherwise."""
    try:
        from pygments import highlight as pyg_highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return text
    return pyg_highlight(text, PythonLexer(), TerminalFormatter())


def _isatty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
