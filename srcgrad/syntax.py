"""Small constructors and queries for gast trees, so passes build trees instead of strings."""
import copy

import gast


def name(id_: str, ctx: type = gast.Load) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx(), annotation=None, type_comment=None)


def const(value: object) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def assign(target: str | gast.expr, value: gast.expr) -> gast.Assign:
    if isinstance(target, str):
        target = name(target, gast.Store)
    return gast.Assign(targets=[target], value=value, type_comment=None)


def call(func: str | gast.expr, *args: gast.expr, **kwargs: gast.expr) -> gast.Call:
    if isinstance(func, str):
        func = name(func)
    keywords = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
    return gast.Call(func=func, args=list(args), keywords=keywords)


def attr(value: gast.expr | str, attribute: str) -> gast.Attribute:
    if isinstance(value, str):
        value = name(value)
    return gast.Attribute(value=value, attr=attribute, ctx=gast.Load())


def expr_stmt(value: gast.expr) -> gast.Expr:
    return gast.Expr(value=value)


def parse_expr(source: str) -> gast.expr:
    return gast.parse(source.strip()).body[0].value


def is_name(node: gast.AST, id_: str | None = None) -> bool:
    return isinstance(node, gast.Name) and (id_ is None or node.id == id_)


def names_loaded(node: gast.AST) -> set[str]:
    """Every name read anywhere under `node`."""
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def names_stored(node: gast.AST) -> set[str]:
    """Every name written anywhere under `node` (assignment targets, loop targets)."""
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def all_names(node: gast.AST) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def clone(node: gast.AST) -> gast.AST:
    return copy.deepcopy(node)


def with_load(node: gast.expr) -> gast.expr:
    """A copy of a target expression usable as a value (Store contexts turned into Load)."""
    node = copy.deepcopy(node)
    for sub in gast.walk(node):
        if hasattr(sub, "ctx") and isinstance(sub.ctx, (gast.Store, gast.Del)):
            sub.ctx = gast.Load()
    return node


def with_store(node: gast.expr) -> gast.expr:
    """A copy of a Name/Subscript/Tuple expression usable as an assignment target."""
    node = copy.deepcopy(node)
    if isinstance(node, (gast.Name, gast.Subscript, gast.Attribute, gast.Starred)):
        node.ctx = gast.Store()
    if isinstance(node, (gast.Tuple, gast.List)):
        node.ctx = gast.Store()
        node.elts = [with_store(e) for e in node.elts]
    return node


class Rename(gast.NodeTransformer):
    """Rename names by a mapping (every context)."""

    def __init__(self, renames: dict[str, str]):
        self.renames = renames

    def visit_Name(self, node: gast.Name):
        if node.id in self.renames:
            return gast.Name(id=self.renames[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        return node


def comment(text: str) -> gast.Expr:
    """A marker statement that codegen turns into a `# text` comment line."""
    return gast.Expr(value=gast.Constant(value=Comment(text), kind=None))


class Comment(str):
    """A string constant that codegen prints as a comment, not as code."""


def visit_own_fields(stmt: gast.stmt, transformer: gast.NodeTransformer) -> None:
    """Run `transformer` over `stmt`'s own expressions (its value, test, targets), not its nested blocks."""
    for field, value in gast.iter_fields(stmt):
        if field in ("body", "orelse"):
            continue
        if isinstance(value, gast.AST):
            setattr(stmt, field, transformer.visit(value))
        elif isinstance(value, list):
            setattr(stmt, field, [transformer.visit(v) if isinstance(v, gast.AST) else v for v in value])
