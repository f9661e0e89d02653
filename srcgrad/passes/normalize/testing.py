"""`show(pass, source)`: parse, apply one pass, print the result (used by pass doctests)."""
import textwrap
from typing import Callable

import gast

from srcgrad.codegen.unparse import unparse


def show(pass_: Callable, source: str, *args) -> None:
    tree = gast.parse(textwrap.dedent(source)).body[0]
    print(unparse(pass_(tree, *args)).rstrip())
