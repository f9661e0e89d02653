"""srcgrad: source-to-source automatic differentiation for Python and NumPy."""
from srcgrad import errors
from srcgrad.api import GradientFunction, grad, show, value_and_grad
from srcgrad.cache import clear_cache
from srcgrad.forward import jvp
from srcgrad.higher import GradCheck, check_grad, hessian, hvp, jacobian, vjp
from srcgrad.errors import (
    CheckpointError,
    InternalError,
    ComplexInputError,
    GradientCheckError,
    NonFiniteError,
    NonScalarOutputError,
    NotDifferentiableError,
    RecursionLimitError,
    SignatureError,
    SourceUnavailableError,
    SrcgradError,
    UnsupportedSyntaxError,
    WrtError,
)
from srcgrad.rules.registry import adjoint, nondifferentiable
from srcgrad.passes.analyses.resolve import differentiate_source
from srcgrad.runtime import stop_gradient
from srcgrad.runtime.hooks import insert_grad_of
from srcgrad.rules.tangents.registry import tangent
from srcgrad import init, losses, optim  # noqa: E402  (plain NumPy modules; import after the compiler)
from srcgrad.train import History, fit

__all__ = [
    "CheckpointError", "ComplexInputError", "GradientCheckError", "InternalError", "clear_cache",
    "differentiate_source",
    "GradientFunction", "NonFiniteError", "NonScalarOutputError", "NotDifferentiableError",
    "RecursionLimitError", "SignatureError",
    "SourceUnavailableError", "SrcgradError", "UnsupportedSyntaxError", "WrtError", "adjoint", "errors",
    "GradCheck", "check_grad", "hessian", "hvp", "jacobian", "vjp",
    "History", "fit", "grad", "init", "insert_grad_of", "tangent", "jvp", "losses", "nondifferentiable", "optim", "show", "stop_gradient", "value_and_grad",
]
__version__ = "0.1.0"
