"""The supported subset: reject every construct srcgrad cannot differentiate, at the user's line.

Anything that passes this check is something the later passes know how to handle, so an
internal error after this point is a bug in srcgrad, not in the user's code.
"""
import gast

from srcgrad.errors import UnsupportedSyntaxError
from srcgrad.frontend.parse import Source

_NO_GENERATORS = ("Build and return a list instead (`return [p[i] for i in range(n)]` for a generator that yields "
                  "slices): srcgrad does not differentiate generators.")

# node type -> (what it is, what to do instead)
_REJECTED: dict[type, tuple[str, str]] = {
    gast.Try: ("try/except", "Move error handling outside the differentiated function."),
    gast.AsyncWith: ("async with", "Differentiate synchronous code only."),
    gast.AsyncFor: ("async for", "Differentiate synchronous code only."),
    gast.AsyncFunctionDef: ("async def", "Differentiate synchronous code only."),
    gast.Await: ("await", "Differentiate synchronous code only."),
    gast.Yield: ("yield", _NO_GENERATORS),
    gast.YieldFrom: ("yield from", _NO_GENERATORS),
    gast.Global: ("global", "Pass the value in as an argument and return the new value."),
    gast.Nonlocal: ("nonlocal", "Pass the value in as an argument and return the new value."),
    gast.Delete: ("del", "Drop the `del`; unused names cost nothing in the generated code."),
    gast.ClassDef: ("a class definition", "Define the class at module level."),
    gast.Lambda: ("a lambda inside a comprehension", "Name it on a line of its own first (`f = lambda z: ...`)."),
    gast.Import: ("import", "Import at module level."),
    gast.ImportFrom: ("import", "Import at module level."),
    gast.NamedExpr: ("an assignment expression (:=)", "Assign in a separate statement."),
    gast.Match: ("match", "Use if/elif/else."),
    gast.SetComp: ("a set comprehension", "Build a list or an array instead."),
    gast.DictComp: ("a dict comprehension", "Build the dict with explicit assignments."),
    gast.Set: ("a set", "Use a list or a tuple."),
}

# Constructs not differentiated yet.
_NOT_YET: dict[type, str] = {}

def is_gradient_hook(node: gast.With, source: Source) -> bool:
    """`with srcgrad.insert_grad_of(x) as g:` (x and g names), however srcgrad was imported."""
    from srcgrad.runtime.hooks import insert_grad_of

    if len(node.items) != 1:
        return False
    item = node.items[0]
    call = item.context_expr
    if not (isinstance(call, gast.Call) and len(call.args) == 1 and isinstance(call.args[0], gast.Name)
            and isinstance(item.optional_vars, gast.Name)):
        return False
    chain, func = [], call.func
    while isinstance(func, gast.Attribute):
        chain.append(func.attr)
        func = func.value
    if not isinstance(func, gast.Name):
        return False
    obj = source.lookup(func.id, None)
    for attr in reversed(chain):
        obj = getattr(obj, attr, None)
    return obj is insert_grad_of


FORBIDDEN_CALLS = {"eval", "exec", "compile", "globals", "locals", "vars", "setattr", "delattr", "__import__"}


def check_supported(source: Source, allow: frozenset[type] = frozenset(), callee: bool = False) -> None:
    """Raise UnsupportedSyntaxError for the first construct outside the subset.

    A function called from differentiated code (`callee`) may take `*args`: each call binds them.
    """
    fdef = source.tree
    _check_signature(source, fdef, callee)
    for stmt in fdef.body:
        for node in gast.walk(stmt):
            _check_node(source, node, allow)
    _check_returns(source, fdef)


def _reject(source: Source, node: gast.AST, what: str, hint: str) -> None:
    raise UnsupportedSyntaxError(f"srcgrad cannot differentiate {what}", source.origin(node), hint=hint)


def _check_signature(source: Source, fdef: gast.FunctionDef, callee: bool) -> None:
    """`*args` and `**kwargs` are fine (they are tuples and dicts); `wrt` can only name a named parameter."""


def _check_node(source: Source, node: gast.AST, allow: frozenset[type]) -> None:
    kind = type(node)
    if kind in _REJECTED:
        what, hint = _REJECTED[kind]
        _reject(source, node, what, hint)
    if isinstance(node, gast.With) and not is_gradient_hook(node, source):
        _reject(source, node, "with", "Move the context manager outside the differentiated function "
                "(inside it, only `with srcgrad.insert_grad_of(x) as g:` is supported).")
    if kind in _NOT_YET and kind not in allow:
        _reject(source, node, _NOT_YET[kind], "Define the function at module level and pass it the values it uses.")
    if isinstance(node, gast.Call):
        if isinstance(node.func, gast.Name) and node.func.id in FORBIDDEN_CALLS:
            _reject(source, node, f"a call to {node.func.id}()", "Write the code out directly.")
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        for target in targets:
            _check_target(source, node, target, allow)
    if isinstance(node, (gast.For, gast.While)) and node.orelse:
        _reject(source, node, "a loop with an else clause", "Use a flag variable instead.")
    if isinstance(node, gast.Starred) and isinstance(node.ctx, gast.Store):
        _reject(source, node, "starred assignment (a, *b = ...)", "Unpack with explicit subscripts.")


def _check_target(source: Source, stmt: gast.AST, target: gast.AST, allow: frozenset[type]) -> None:
    if isinstance(target, gast.Attribute):
        _reject(source, stmt, "assignment to an attribute",
                "Use a local variable or a dict entry. Parameters kept as attributes of an object that changes "
                "them cannot be differentiated: keep them in a dict, a NamedTuple or a dataclass, pass that "
                "as an argument, and build new values instead of assigning.")
    if isinstance(target, gast.Subscript) and isinstance(stmt, gast.Assign) and len(stmt.targets) > 1:
        _reject(source, stmt, "chained assignment into an element (a[i] = b = ...)", "Assign in two statements.")
    whole = (isinstance(stmt, gast.AugAssign) and target is stmt.target) or \
        (isinstance(stmt, gast.Assign) and stmt.targets == [target])  # desugar.py splits `a[i][j] = v` there
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Subscript) and not whole:
        _reject(source, stmt, "assignment into an element of an element (a[i][j] = ...) inside a tuple target",
                "Write a[i, j] = ... for arrays, or take the inner container into a variable first.")
    if isinstance(target, (gast.Tuple, gast.List)):
        for elt in target.elts:
            _check_target(source, stmt, elt, allow)


def _check_returns(source: Source, fdef: gast.FunctionDef) -> None:
    returns = [n for n in gast.walk(fdef) if isinstance(n, gast.Return)]
    if not returns:
        _reject(source, fdef, f"{fdef.name}: a function that returns nothing", "Return the value to differentiate.")
    for ret in returns:
        if ret.value is None:
            _reject(source, ret, "`return` without a value", "Return the value to differentiate.")
    for loop in gast.walk(fdef):
        if isinstance(loop, (gast.For, gast.While)):
            for node in gast.walk(loop):
                if isinstance(node, gast.Return):
                    _reject(source, node, "a return inside a loop",
                            "Store the result in a variable, leave the loop, and return after it.")
    last = fdef.body[-1]
    if not isinstance(last, (gast.Return, gast.If, gast.Raise)):
        _reject(source, last, f"{fdef.name}: a function that can end without returning a value",
                "End the function with a return statement.")
