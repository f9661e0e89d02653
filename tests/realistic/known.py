"""Expected failures of srcgrad on the corpus, one entry per case id (see survey.py to regenerate).

Kinds, worst first:
  wrong      - a silent wrong value or gradient (raises corpus.WrongValue / WrongGradient);
  crash      - an exception that is not a SrcgradError, or an InternalError: a bug inside srcgrad;
  misleading - a SrcgradError whose message is wrong about the cause or does not point at the user's code;
  refused    - a clear SrcgradError naming the user's line and a way out.
"""
from typing import NamedTuple

from srcgrad.errors import (InternalError, NotDifferentiableError, SourceUnavailableError, SrcgradError,  # noqa: F401
                            UnsupportedSyntaxError, WrtError)

from .corpus import WrongGradient, WrongStructure, WrongValue  # noqa: F401


class Known(NamedTuple):
    kind: str
    raises: type
    reason: str


def wrong(raises: type, reason: str) -> Known:
    return Known("wrong", raises, reason)


def crash(raises: type, reason: str) -> Known:
    return Known("crash", raises, reason)


def misleading(raises: type, reason: str) -> Known:
    return Known("misleading", raises, reason)


def refused(raises: type, reason: str) -> Known:
    return Known("refused", raises, reason)


KNOWN: dict[str, Known] = {
    # REFUSED (clear; was a silent wrong gradient): a called function writes into an array argument (boundary-condition
    # helpers, x[i] = ..., out += ...); srcgrad cannot carry the write back to the caller
    'stable_fluids.fluid_loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: density_step writes into its argument dens, and srcgrad cannot carry a write made inside a called function back to the caller (d here)'),
    'heat_diffusion.neumann_loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: apply_neumann writes into its argument u, and srcgrad cannot carry a write made inside a called function back to the caller (u here)'),
    # REFUSED (clear): try/except, with, global, yield
    'gp_robust.nlml_safe(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate try/except'),
    'gp_robust.standardized_mse(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate with'),
    'scipy_optimize_style.cost_counted(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate global'),
    'flat_params.objective(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate yield'),
    # REFUSED (clear): parameters held by objects: a model built from the params inside the loss,
    # arrays assigned to a model's attributes
    'model_from_params.loss_build_model(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: the function called here is built from values being differentiated (a functools.partial or a closure over them), and srcgrad cannot send gradients into a function object'),
    'model_from_params.loss_set_attributes(0,1)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate assignment to an attribute'),
    # REFUSED (clear): in-place NumPy operation (np.fill_diagonal)
    'tsne_kl.tsne_kl(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate an in-place operation on num (out=, np.copyto, .fill, .sort, .extend, ...): the backward pass needs the values it overwrites'),
}
