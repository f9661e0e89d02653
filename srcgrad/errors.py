"""The error hierarchy: every error a user can see from srcgrad derives from SrcgradError.

Errors about the user's code carry an `Origin` (file, line, source text) so the message
points at the user's line and says what to do instead.
"""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of user code lives: file name, 1-based line and that line's text."""

    filename: str
    lineno: int
    text: str = ""
    function: str = ""

    def describe(self) -> str:
        where = f'File "{self.filename}", line {self.lineno}'
        if self.function:
            where += f", in {self.function}"
        if not self.text.strip():
            return where
        return where + "".join(f"\n    {line}" for line in self.text.strip("\n").splitlines())

    def one_line(self) -> str:
        """The source text on one line (a statement that spans several lines, joined)."""
        return " ".join(self.text.split())


class SrcgradError(Exception):
    """Base class of all srcgrad errors."""

    def __init__(self, message: str, origin: Origin | None = None, hint: str = ""):
        self.origin = origin
        self.hint = hint
        self.bare_message = message
        parts = [message]
        if origin is not None:
            parts.append(origin.describe())
        if hint:
            parts.append(hint)
        super().__init__("\n".join(parts))


class UnsupportedSyntaxError(SrcgradError):
    """A construct outside the subset of Python that srcgrad differentiates."""


class NotDifferentiableError(SrcgradError):
    """A call to a function with no derivative rule and no Python source to differentiate."""


class NonScalarOutputError(SrcgradError):
    """`grad` was asked for the gradient of a function whose output is not a scalar."""


class WrtError(SrcgradError):
    """The `wrt` argument names no parameter, or an argument structure is unusable."""


class ComplexInputError(WrtError):
    """A differentiated argument holds complex numbers: srcgrad differentiates real functions of real inputs."""


class GradientCheckError(SrcgradError):
    """`grad(f, check=True)`: the gradient or value disagreed with `f` itself (finite differences)."""


class SourceUnavailableError(SrcgradError):
    """The function's source code cannot be read (built in, defined in a REPL, lambda in an expression)."""


class InternalError(SrcgradError):
    """srcgrad itself went wrong (an analysis did not converge, an invariant broke): a bug to report."""

    def __init__(self, message: str, origin: Origin | None = None):
        super().__init__(f"internal error in srcgrad: {message}", origin,
                         hint="No code was generated. Please report this as a bug, with the function above.")


class NonFiniteError(SrcgradError):
    """Training produced a non-finite loss or gradient; parameters were left as they were."""


class CheckpointError(SrcgradError, ValueError):
    """A checkpoint file cannot be used: damaged, not srcgrad's, from other settings, or unwritable.

    Also a ValueError, as these errors were before this class existed.
    """


class SignatureError(SrcgradError, TypeError):
    """A gradient (grad, jvp, hessian, ...) was called with arguments its function does not take.

    Also a TypeError, as calling the function itself with them would raise.
    """


class RecursionLimitError(SrcgradError, RecursionError):
    """Python's recursion limit was reached: a gradient of deep recursion, or code nested too deeply to compile.

    Also a RecursionError, as running the function itself that deep would raise.
    """


def with_call_site(exc: SrcgradError, origin: Origin) -> SrcgradError:
    """`exc` (raised while compiling a called function), its hint naming the caller's line, once."""
    if origin.filename.startswith("<srcgrad"):  # a stub srcgrad generated (run-time dispatch): not the user's
        return exc
    if exc.origin is not None and (exc.origin.filename, exc.origin.lineno) == (origin.filename, origin.lineno):
        return exc  # a lambda called on the line that defines it: the line is quoted already
    called_from = f"(called from {origin.filename}, line {origin.lineno}: {origin.one_line()})"
    if called_from in exc.hint:
        return exc
    hint = f"{called_from}\n{exc.hint}" if exc.hint else called_from
    return type(exc)(exc.bare_message, exc.origin, hint)
