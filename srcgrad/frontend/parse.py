"""Read a function's source, parse it with gast, and record where every line came from.

The tree's line numbers are kept relative to the parsed text; `Source.origin(node)` maps a
node back to the user's file and line, which every error message uses.
"""
import ast
import builtins
import inspect
import io
import linecache
import textwrap
import tokenize
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from srcgrad import depth
from srcgrad.errors import Origin, SourceUnavailableError, UnsupportedSyntaxError
from srcgrad.frontend import verify

_MISSING = object()
_MAX_LINES = 6  # of a multi-line statement, quoted in errors


@dataclass
class Source:
    """A parsed user function: its tree, its namespace and the map back to its file."""

    func: Callable
    tree: gast.FunctionDef
    filename: str
    line_offset: int  # add to a tree line number to get the file's line number
    closure: dict[str, Any] = field(default_factory=dict)
    depth: int = 0  # how deeply the tree nests (srcgrad/depth.py: room for the passes that recurse)

    @property
    def name(self) -> str:
        return self.tree.name

    @property
    def generated(self) -> bool:
        """Whether this is srcgrad's own generated code (a gradient differentiated again)."""
        return self.filename.startswith("<srcgrad")

    @property
    def globals(self) -> dict[str, Any]:
        return self.func.__globals__

    def origin(self, node: gast.AST | None) -> Origin:
        """The file, line and source text of `node` (all the lines of a statement written over several)."""
        lineno = getattr(node, "lineno", None) or self.tree.lineno
        line = lineno + self.line_offset
        return Origin(self.filename, line, _logical_line(self.filename, line), self.func.__qualname__)

    def lookup(self, id_: str, default: Any = _MISSING) -> Any:
        """The object a free name refers to: closure cell, then module global, then builtin."""
        if id_ in self.closure:
            return self.closure[id_]
        if id_ in self.func.__globals__:
            return self.func.__globals__[id_]
        if hasattr(builtins, id_):
            return getattr(builtins, id_)
        if default is _MISSING:
            raise KeyError(id_)
        return default


def _logical_line(filename: str, line: int) -> str:
    """The text from `line` to the end of the statement it starts (brackets closed, at most _MAX_LINES)."""
    lines = []
    for n in range(line, line + _MAX_LINES):
        text = linecache.getline(filename, n)
        if not text:
            break
        lines.append(text.rstrip())
        try:
            list(tokenize.generate_tokens(io.StringIO(textwrap.dedent("\n".join(lines)) + "\n").readline))
            break
        except (tokenize.TokenError, IndentationError, SyntaxError):
            continue  # an open bracket or a trailing backslash: the statement goes on
    return textwrap.dedent("\n".join(lines)) if lines else ""


def parse_function(func: Callable) -> Source:
    """Parse `func`'s own source into a gast FunctionDef (decorators removed, lambdas turned into defs).

    A decorated function is the wrapper its decorator returned: `__wrapped__` is not followed, since
    the wrapper's code is what runs. The text is checked against the code Python runs (`verify.py`).
    """
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType):
        raise SourceUnavailableError(
            f"cannot read the source of {func!r}: it is not a Python function",
            hint="Pass a function written in Python, or register a derivative rule with @srcgrad.adjoint.",
        )
    qualname = getattr(func, "__qualname__", code.co_name)
    try:
        lines, first = inspect.getsourcelines(code)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"cannot read the source of {qualname}: {exc}",
            hint="Define the function in a file (not in an interactive prompt or via exec), "
            "or register a derivative rule for it with @srcgrad.adjoint.",
        ) from None
    text = textwrap.dedent("".join(lines))
    filename = code.co_filename
    offset = max(first, 1) - 1
    levels = 0
    if code.co_name != "<lambda>":
        with depth.room(depth.MAX_NESTING):  # Python compiled it: parsing it again must not fail deeper in the stack
            module = ast.parse(text)
        levels, deepest, inside = depth.nesting(module)
        if levels > depth.MAX_NESTING:
            line = offset + getattr(deepest, "lineno", 1)
            raise depth.too_nested(inside, Origin(filename, line, _logical_line(filename, line), qualname))
    with depth.room(levels):
        if code.co_name == "<lambda>":
            tree, text = _lambda_def(text, code, filename, offset)
        else:
            tree = gast.ast_to_gast(module).body[0]
            if not isinstance(tree, gast.FunctionDef):
                raise UnsupportedSyntaxError(
                    f"{qualname} is not a plain function definition",
                    Origin(filename, first, lines[0].rstrip()),
                    hint="srcgrad differentiates functions defined with `def` (async functions are not supported).",
                )
        _check_text(text, code, filename, offset, qualname)
    tree.decorator_list = []
    closure = {}
    if code.co_freevars and func.__closure__:
        for var, cell in zip(code.co_freevars, func.__closure__, strict=True):
            try:
                closure[var] = cell.cell_contents
            except ValueError:  # an empty cell: the variable is not yet assigned
                pass
    return Source(func, tree, filename, offset, closure, levels)


_VERIFIED: dict[int, tuple[types.CodeType, str]] = {}  # id(code) -> (code, the text found to match it)
_IMPORTS: dict[str, tuple[list[str], frozenset[str]]] = {}  # file -> (its lines, names its top level imports)


def _imports(filename: str) -> frozenset[str]:
    lines = linecache.getlines(filename)
    known = _IMPORTS.get(filename)
    if known is None or known[0] is not lines:
        known = _IMPORTS[filename] = (lines, verify.module_imports("".join(lines)))
    return known[1]


def _check_text(text: str, code: types.CodeType, filename: str, offset: int, qualname: str) -> None:
    """Raise SourceUnavailableError unless `text` (at `offset` in the file) compiles to `code`."""
    known = _VERIFIED.get(id(code))
    if known is not None and known[0] is code and known[1] == text:
        return
    node = None
    try:
        module = ast.parse(text)
        ast.increment_lineno(module, offset)
        if code.co_name == "<lambda>":
            lambdas = [n for n in ast.walk(module) if isinstance(n, ast.Lambda)
                       and len(n.args.args) + len(n.args.posonlyargs) == code.co_argcount]
            node = lambdas[0] if len(lambdas) == 1 else None
        else:
            node = module.body[0]
    except SyntaxError:
        pass
    if node is None or not verify.matches(node, code, filename, _imports(filename), qualname):
        line = code.co_firstlineno
        raise SourceUnavailableError(
            f"the source of {qualname} in {filename} is not the code Python runs: the file changed after "
            f"Python compiled the function from line {line}, and the text there now is another function or "
            "another version of it",
            Origin(filename, line, linecache.getline(filename, line).rstrip("\n"), qualname),
            hint="srcgrad differentiates source text, and this text is no longer the function's. Re-import the "
            "module (importlib.reload(module)) or re-run the code that defines the function, then differentiate it "
            "again.")
    _VERIFIED[id(code)] = (code, text)


def _lambda_segment(code: types.CodeType, filename: str) -> str | None:
    """The text of the lambda that compiled to `code`, found in its file's syntax tree, as `(lambda ...)`
    starting on the lambda's first line; None when the file cannot tell which lambda it is."""
    lines = linecache.getlines(filename)
    try:
        module = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    candidates = [n for n in ast.walk(module) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
                  and len(n.args.args) + len(n.args.posonlyargs) == code.co_argcount]
    if len(candidates) > 1:
        imports = _imports(filename)
        candidates = [n for n in candidates if verify.matches(n, code, filename, imports)]
    if len(candidates) != 1:
        return None
    segment = ast.get_source_segment("".join(lines), candidates[0])
    return None if segment is None else f"({segment})\n"


def _lambda_def(text: str, code: Any, filename: str, offset: int) -> tuple[gast.FunctionDef, str]:
    """Find the one lambda on the source line and turn it into `def <lambda>(...): return ...`.

    Returns the def and the text it was parsed from (the line, or the line without a trailing comma).
    """
    segment = _lambda_segment(code, filename)
    if segment is not None:
        text = segment
    try:
        module = gast.parse(text)
    except SyntaxError:
        text = text.strip().rstrip(",") + "\n" if text.strip() else text
        try:
            module = gast.parse(text) if text.strip() else None
        except SyntaxError:  # a fragment of a larger statement (a dict or call over several lines)
            module = None
    lambdas = [n for n in gast.walk(module) if isinstance(n, gast.Lambda)] if module else []
    lambdas = [n for n in lambdas if len(n.args.args) + len(n.args.posonlyargs) == code.co_argcount]
    if len(lambdas) != 1:
        raise SourceUnavailableError(
            "cannot tell which lambda on this line to differentiate",
            Origin(filename, offset + 1, text.splitlines()[0] if text else ""),
            hint="Give the function a name with `def`.",
        )
    lam = lambdas[0]
    body = [gast.Return(value=lam.body)]
    gast.copy_location(body[0], lam)
    fdef = gast.FunctionDef(
        name="_lambda", args=lam.args, body=body, decorator_list=[], returns=None,
        type_comment=None, type_params=[],
    )
    return gast.copy_location(fdef, lam), text
