"""Meta-test: every primal with an adjoint rule has a tangent rule, and the two agree on parameters."""
import inspect

import scipy.linalg  # noqa: F401  (SciPy's tables load once SciPy is imported)
import scipy.special  # noqa: F401
import scipy.stats  # noqa: F401

import srcgrad.rules  # noqa: F401  (fill ADJOINTS)
from srcgrad.rules.registry import ADJOINTS, load_optional
from srcgrad.rules.tangents import TANGENTS

load_optional()


def test_every_adjoint_has_a_tangent() -> None:
    # rules of srcgrad's own runtime helpers (rules/runtime.py) serve grad-of-grad; forward-over-reverse
    # covers them separately
    missing = sorted(rule.name for key, rule in ADJOINTS.items()
                     if key not in TANGENTS and not rule.where.startswith("runtime.py")
                     and rule.namespace.get("__name__", "").startswith("srcgrad."))  # not users' rules
    assert missing == [], f"primals with an adjoint but no tangent rule: {missing}"


def test_every_tangent_has_an_adjoint() -> None:
    """A tangent for a primal the resolver does not know would never be used.

    Except the runtime helpers of generated gradient code: forward mode looks their tangents up by
    the helper itself (forward over reverse), whether or not they have adjoints.
    """
    from srcgrad.rules.tangents.runtime import __name__ as runtime_rules

    assert sorted(rule.name for key, rule in TANGENTS.items()
                  if key not in ADJOINTS and rule.namespace.get("__name__") != runtime_rules
                  and rule.namespace.get("__name__", "").startswith("srcgrad.")) == []  # not rules tests register


def test_tangent_accepts_every_call_its_adjoint_accepts() -> None:
    """Same parameter names, or catch-alls (`*args, **kwargs`) where the tangent does not need them."""
    def accepts(tangent: inspect.Signature, adjoint: inspect.Signature) -> bool:
        kinds = {p.kind for p in tangent.parameters.values()}
        for p in adjoint.parameters.values():
            if p.name in tangent.parameters:
                continue
            if p.kind == p.VAR_POSITIONAL and p.VAR_POSITIONAL not in kinds:
                return False
            if p.kind != p.VAR_POSITIONAL and p.VAR_KEYWORD not in kinds:
                return False
        return True

    differ = [rule.name for key, rule in TANGENTS.items()
              if key in ADJOINTS and not accepts(rule.signature, ADJOINTS[key].signature)]
    assert differ == []


def test_every_tangent_template_assigns_only_the_result() -> None:
    import gast

    bad = []
    for rule in TANGENTS.values():
        for stmt in rule.body:
            for node in gast.walk(stmt):
                if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and node.value.id == "d" \
                        and isinstance(node.ctx, gast.Store) and node.slice.id != rule.result:
                    bad.append(rule.name)
    assert bad == []
