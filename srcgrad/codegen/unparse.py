"""The one place that turns trees into text: gast -> ast -> `ast.unparse`, plus comment lines.

A statement built by `syntax.comment(text)` prints as `# text` on its own line.
"""
import ast
import re

import gast

from srcgrad.syntax import Comment

_MARK = "__srcgrad_comment_{}__"
_MARK_LINE = re.compile(r"^(\s*)__srcgrad_comment_(\d+)__$", re.M)


class _CommentsToMarks(ast.NodeTransformer):
    def __init__(self):
        self.texts: list[str] = []

    def visit_Expr(self, node: ast.Expr):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, Comment):
            self.texts.append(str(node.value.value))
            return ast.Expr(value=ast.Name(id=_MARK.format(len(self.texts) - 1), ctx=ast.Load()))
        return node


def _is_comment(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, Comment)


def unparse(tree: gast.AST | ast.AST) -> str:
    """Python source for a gast or ast tree; `Comment` markers become comment lines."""
    node = gast.gast_to_ast(tree) if isinstance(tree, gast.AST) else tree
    for sub in ast.walk(node):  # a block emptied by a pass, or holding only comments, gets a `pass`
        for field in ("body", "orelse"):
            block = getattr(sub, field, None)
            if isinstance(block, list) and not isinstance(sub, ast.Module) and (block or field == "body") \
                    and all(_is_comment(s) for s in block):
                block.append(ast.Pass())
    marks = _CommentsToMarks()
    node = marks.visit(node)
    ast.fix_missing_locations(node)
    text = ast.unparse(node)
    text = _MARK_LINE.sub(lambda m: f"{m.group(1)}# {marks.texts[int(m.group(2))]}", text)
    return text + "\n"
