"""Meta-test: every derivative rule in the registry is exercised by some catalogue function.

Coverage is read from the catalogue's source: each call is resolved against the catalogue
module's globals (then builtins) and looked up with the registry's own `lookup`; calls on local
values are array methods (`lookup_method`); operators, `.T` and subscripts map to their rules.
Primals that only the compiler inserts are matched to the syntax that inserts them (`INSERTED`).
A function whose every case is a known bug does not count.
"""
import ast
import builtins
import inspect
import textwrap
from typing import Any, Callable

import operator

import gast
import numpy as np
import pytest

import srcgrad

import catalogue
from srcgrad import runtime
from srcgrad.rules.registry import ADJOINTS, Rule, lookup, lookup_method
from test_catalogue import catalogue_functions


def _for_over_iterable(node: ast.AST) -> bool:
    it = node.iter if isinstance(node, ast.For) else None
    return it is not None and not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range")


# primal -> does this node make the compiler insert a call to it
INSERTED: dict[Any, Callable[[ast.AST], bool]] = {
    runtime.as_sequence: _for_over_iterable,  # `for v in xs` becomes `_s = as_sequence(xs); for _i in range(len(_s))`
    runtime.in_place: lambda node: isinstance(node, ast.AugAssign),  # `t += y`: `t = in_place(t + y, t)`
}


def _catalogue_sources() -> list[Callable]:
    """Catalogue functions (helpers included) that are not wholly known bugs."""
    funcs = [f for f in vars(catalogue).values()
             if inspect.isfunction(f) and f.__module__ == catalogue.__name__ and f.__name__.startswith("_")]
    for func in catalogue_functions():
        wholly_broken = any(dtype is None and args is None for _, dtype, args in getattr(func, "known_bugs", []))
        if not wholly_broken:
            funcs.append(func)
    return funcs


def _dotted(node: ast.expr) -> list[str] | None:
    """`np.linalg.norm` -> ["np", "linalg", "norm"]; None for anything but a chain of names."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else [*base, node.attr]
    return None


def _resolve(parts: list[str], local: set[str]) -> Any:
    """The object a dotted name denotes in the catalogue module, or None (a local value, or unknown)."""
    if parts[0] in local:
        return None
    namespace = {**vars(builtins), **vars(catalogue)}
    if parts[0] not in namespace:
        return None
    obj = namespace[parts[0]]
    for part in parts[1:]:
        obj = getattr(obj, part, None)
    return obj


def _locals(tree: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in tree.args.args}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def rules_used(func: Callable) -> list[Rule]:
    """The registered rules that the source of `func` calls for (directly, not through helpers)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    local = _locals(tree)
    found: list[Rule | None] = []
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called.add(id(node.func))
            parts = _dotted(node.func)
            obj = _resolve(parts, local) if parts else None
            if obj is not None:
                found.append(lookup(obj))
            elif isinstance(node.func, ast.Attribute):
                found.append(lookup_method(node.func.attr))
        elif isinstance(node, ast.BinOp | ast.AugAssign | ast.UnaryOp):
            found.append(lookup(getattr(gast, type(node.op).__name__)))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            found.append(lookup(operator.getitem))
        found.extend(lookup(primal) for primal, inserts in INSERTED.items() if inserts(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "T" and id(node) not in called:
            found.append(lookup_method("T"))
    return [rule for rule in found if rule is not None]


def test_rules_used_reads_calls_methods_operators_and_subscripts() -> None:
    used = {rule.name for rule in rules_used(catalogue.attribute_T)}
    assert {"sum", ".T()", "MatMult"} <= used
    used = {rule.name for rule in rules_used(catalogue.method_sum_axis_keepdims)}
    assert {"sum", "Pow", "Div", "Add"} <= used
    assert "getitem" in {rule.name for rule in rules_used(catalogue.subscript_int)}
    assert "norm" in {rule.name for rule in rules_used(catalogue.norm_ord_1)}
    # a method of a SciPy distribution object: a new bound method at each read, found by equality
    assert "scipy.stats.norm.logpdf" in {rule.name for rule in rules_used(catalogue.scipy_norm)}


def test_every_rule_is_exercised_by_the_catalogue() -> None:
    covered = {id(rule) for func in _catalogue_sources() for rule in rules_used(func)}
    # rules of the runtime helpers (rules/runtime.py) are exercised by grad-of-grad in test_higher_order.py
    missing = sorted(f"{rule.name} ({rule.where})" for rule in ADJOINTS.values()
                     if id(rule) not in covered and not rule.where.startswith("runtime.py")
                     and rule.namespace.get("__name__", "").startswith("srcgrad."))  # not rules tests register
    assert not missing, f"{len(missing)} rules have no catalogue function: " + ", ".join(missing)



def _doubled(cast: Callable) -> Callable:
    def f(a):
        return cast(a) * 2.0
    return f


@pytest.mark.parametrize("cast", [np.float32, np.float64, float])
def test_float_casts_pass_the_gradient_through(cast: Callable) -> None:
    """Closed form: d/da (2 * cast(a)) = 2, whatever the cast rounds."""
    assert float(srcgrad.grad(_doubled(cast))(1.3)) == pytest.approx(2.0)
