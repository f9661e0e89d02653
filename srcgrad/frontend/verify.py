"""Check that the source text srcgrad read is the code Python runs.

`inspect.getsource` reads the file as it is now, at the line where the function started when
its module was imported. After the file is edited (and not reloaded) that text is another
version of the function, or another function altogether; differentiating it would give the
gradient of code that never runs. So the text is compiled again, in a function that gives it
the same free variables, and the resulting code object is compared with the function's own:
bytecode, names, constants, and line numbers.

Tools that rewrite bytecode on import (pytest's assertion rewriting adds names starting with
"@") are accepted when the text's code is contained in the rewritten one at the same lines.
"""
import __future__
import ast
import types

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

_FIELDS = ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_argcount",
           "co_posonlyargcount", "co_kwonlyargcount", "co_name", "co_firstlineno")


def _same_const(a: object, b: object) -> bool:
    if isinstance(a, types.CodeType) and isinstance(b, types.CodeType):
        return same_code(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, frozenset):
        a, b = sorted(a, key=repr), sorted(b, key=repr)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same_const(x, y) for x, y in zip(a, b))
    return a is b or a == b or (a != a and b != b)  # NaN equals NaN here


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects do the same thing at the same lines (column positions aside)."""
    if any(getattr(a, f) != getattr(b, f) for f in _FIELDS):
        return False
    if len(a.co_consts) != len(b.co_consts) or not all(_same_const(x, y) for x, y in zip(a.co_consts, b.co_consts)):
        return False
    return [line for *_, line in a.co_lines()] == [line for *_, line in b.co_lines()]


def _rewritten_like(text_code: types.CodeType, code: types.CodeType) -> bool:
    """`code` is `text_code` with assertion rewriting: same function, same lines, only names added."""
    if not any(n.startswith("@") for n in code.co_names + code.co_varnames):
        return False
    if (text_code.co_name, text_code.co_firstlineno, text_code.co_argcount, text_code.co_kwonlyargcount) != \
            (code.co_name, code.co_firstlineno, code.co_argcount, code.co_kwonlyargcount):
        return False
    params = text_code.co_argcount + text_code.co_kwonlyargcount
    if text_code.co_varnames[:params] != code.co_varnames[:params]:
        return False
    lines = {line for *_, line in code.co_lines()}
    return set(text_code.co_names) <= set(code.co_names) and {line for *_, line in text_code.co_lines()} <= lines


def _find(code: types.CodeType, target: types.CodeType) -> types.CodeType | None:
    """The code object in `code` that compiles what `target` is: same name and first line, and, where several
    are (a lambda made inside a lambda, inside the `<lambda>` scopes compile_like wraps around it), the same
    qualified name (Python 3.11+) or else the same parameters."""
    found: list[types.CodeType] = []
    todo = [code]
    while todo:
        for const in todo.pop(0).co_consts:
            if isinstance(const, types.CodeType):
                if const.co_name == target.co_name and const.co_firstlineno == target.co_firstlineno:
                    found.append(const)
                todo.append(const)
    for same in (lambda c: getattr(c, "co_qualname", None) == getattr(target, "co_qualname", ""),
                 lambda c: c.co_varnames[:c.co_argcount] == target.co_varnames[:target.co_argcount]):
        chosen = [c for c in found if same(c)]
        if chosen:
            return chosen[0]
    return found[0] if found else None


def module_imports(text: str) -> frozenset[str]:
    """Names bound by import statements at the top level of a module's text (they change how calls compile)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))
    return frozenset(names)


def _located(node: ast.AST, line: int) -> ast.AST:
    node.lineno = node.end_lineno = line
    node.col_offset = node.end_col_offset = 0
    return node


def _scopes(qualname: str) -> list[tuple[str, str]]:
    """The enclosing scopes a qualified name spells, outermost first: ("def" | "class", name)."""
    parts = qualname.split(".")[:-1]
    scopes = []
    for i, part in enumerate(parts):
        if part == "<locals>":
            continue
        scopes.append(("def" if i + 1 < len(parts) and parts[i + 1] == "<locals>" else "class", part))
    return scopes


def compile_like(node: ast.stmt | ast.expr, code: types.CodeType, filename: str, imports: frozenset[str] = frozenset(),
                 qualname: str = "") -> types.CodeType | None:
    """Compile `node` (a def, or a lambda expression; line numbers already the file's) as Python compiled the
    function: in a module importing `imports`, nested in the functions and classes its qualified name spells
    (they name nested code and mangle private names), the innermost function binding `code`'s free variables.
    Return the code object it makes for `code.co_name` at the same line."""
    line = node.lineno
    scopes = _scopes(getattr(code, "co_qualname", qualname))  # Python 3.11+ keeps the real one in the code
    free = [v for v in code.co_freevars if v != "__class__" or not any(kind == "class" for kind, _ in scopes)]
    statement: ast.stmt = node if isinstance(node, ast.stmt) else _located(ast.Expr(value=node), line)
    body: list[ast.stmt] = [statement]
    if free and not any(kind == "def" for kind, _ in scopes):  # a closure made without a def around it
        scopes.insert(0, ("def", "__srcgrad_outer__"))
        if isinstance(statement, ast.FunctionDef) and statement.name not in free:
            body.insert(0, _located(ast.Global(names=[statement.name]), line))  # as it was: a module global
    innermost = max((i for i, (kind, _) in enumerate(scopes) if kind == "def"), default=None)
    for i, (kind, name) in reversed(list(enumerate(scopes))):
        if i == innermost and free:
            targets = [_located(ast.Name(id=v, ctx=ast.Store()), line) for v in free]
            body.insert(0, _located(ast.Assign(targets=targets, value=_located(ast.Constant(value=None), line)), line))
        if kind == "class":
            fields = {"type_params": []} if "type_params" in ast.ClassDef._fields else {}  # Python 3.12+
            body = [_located(ast.ClassDef(name=name, bases=[], keywords=[], body=body, decorator_list=[], **fields),
                             line)]
        else:
            fields = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
            body = [_located(ast.FunctionDef(name=name, args=ast.arguments(
                posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
                body=body, decorator_list=[], returns=None, type_comment=None, **fields), line)]
    header = [_located(ast.Import(names=[ast.alias(name="sys", asname=name)]), line) for name in sorted(imports)]
    module = ast.fix_missing_locations(ast.Module(body=header + body, type_ignores=[]))
    try:
        compiled = compile(module, filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return _find(compiled, code)


def matches(node: ast.stmt | ast.expr, code: types.CodeType, filename: str, imports: frozenset[str] = frozenset(),
            qualname: str = "") -> bool:
    """Whether the parsed text `node` (with the file's line numbers) compiles to `code` (`qualname`: the function's
    qualified name, where the code object does not keep it: Python 3.10)."""
    text_code = compile_like(node, code, filename, imports, qualname)
    if text_code is None:
        return False
    return same_code(text_code, code) or _rewritten_like(text_code, code)
