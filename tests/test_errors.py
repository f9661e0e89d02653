"""Error reporting: every construct outside the subset, missing rules, bad outputs, bad `wrt`.

Each error must be of the documented class and its message must point at the user's file,
the exact line of the offending construct and that line's text. Expected lines are computed
from `inspect.getsourcelines`, never hard-coded.
"""
import importlib.util
import inspect
import math
import re
import sys
import textwrap
import types
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import srcgrad
from srcgrad import (
    NonScalarOutputError,
    NotDifferentiableError,
    SourceUnavailableError,
    SrcgradError,
    UnsupportedSyntaxError,
    WrtError,
)

THIS_FILE = inspect.getsourcefile(sys.modules[__name__])


# ---- helpers -------------------------------------------------------------------------------


def source_line(func: Callable, offset: int) -> tuple[int, str]:
    """The file line number and stripped text of the line `offset` lines below `func`'s first line."""
    lines, first = inspect.getsourcelines(func)
    return first + offset, lines[offset].strip()


def assert_points_at(message: str, filename: str, lineno: int, text: str) -> None:
    """The message names `filename`, exactly line `lineno`, and quotes `text`."""
    assert re.search(rf'File "{re.escape(filename)}", line {lineno}\b', message), message
    assert text in message, message


def load_module(path: Path, code: str) -> types.ModuleType:
    """Write `code` to `path` and import it under a unique name."""
    path.write_text(textwrap.dedent(code))
    name = f"srcgrad_errors_helper_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---- functions outside the subset (never called directly) ----------------------------------


def bad_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def bad_raise(x):
    y = x * 2.0
    raise ValueError("no")
    return y


def bad_with(x):
    with open(__file__) as fh:
        y = x * 2.0
    return y


def bad_yield(x):
    yield x
    return x


def bad_yield_from(x):
    yield from [x]
    return x


def bad_global(x):
    global THIS_FILE
    return x * 2.0


def _make_nonlocal() -> Callable:
    scale = 2.0

    def bad_nonlocal(x):
        nonlocal scale
        return x * scale

    return bad_nonlocal


bad_nonlocal = _make_nonlocal()


def bad_del(x):
    y = x * 2.0
    del y
    return x


def bad_exec(x):
    exec("z = 1")
    return x * 2.0


def bad_eval(x):
    y = eval("x") * 2.0
    return y


def bad_lambda(x):
    double = lambda v: v * 2.0
    return double(x)


async def bad_async(x):
    return x * 2.0


async def bad_await(x):
    y = await x
    return y


def bad_class(x):
    class Box:
        value = 1.0
    return x * 2.0


def bad_import(x):
    import math
    return x * math.pi


def bad_import_from(x):
    from math import pi
    return x * pi


def bad_varargs(x, *rest):
    return x * 2.0


def bad_kwargs(x, **options):
    return x * 2.0


def bad_star_call(x):
    xs = (x, 2.0)
    return np.multiply(*xs)


def bad_double_star_call(x):
    options = {"axis": None}
    return np.sum(x, **options)


def bad_walrus(x):
    y = (z := x * 2.0) + 1.0
    return y


def bad_match(x):
    match x:
        case _:
            y = x
    return y


def bad_set_comp(x):
    s = {v for v in (1.0, 2.0)}
    return x * 2.0


def bad_dict_comp(x):
    d = {k: x for k in "ab"}
    return x * 2.0


def bad_set_literal(x):
    s = {1.0, 2.0}
    return x * 2.0


def bad_attribute_assign(x):
    holder = types.SimpleNamespace()
    holder.value = x * 2.0
    return x


def bad_attribute_augassign(x):
    holder = types.SimpleNamespace(value=0.0)
    holder.value += x
    return x


def bad_bare_return(x):
    y = x * 2.0
    return


def bad_no_return(x):
    y = x * 2.0


def bad_starred_assign(x):
    a, *b = (x, x, x)
    return a


def bad_globals_call(x):
    g = globals()
    return x * 2.0


# (function, offset of the offending line from the def line, text on that line, error class)
UNSUPPORTED: list[tuple[Callable, int, str, type]] = [
    (bad_try, 1, "try:", UnsupportedSyntaxError),
    (bad_with, 1, "with open(__file__) as fh:", UnsupportedSyntaxError),
    (bad_yield, 1, "yield x", UnsupportedSyntaxError),
    (bad_yield_from, 1, "yield from [x]", UnsupportedSyntaxError),
    (bad_global, 1, "global THIS_FILE", UnsupportedSyntaxError),
    (bad_nonlocal, 1, "nonlocal scale", UnsupportedSyntaxError),
    (bad_del, 2, "del y", UnsupportedSyntaxError),
    (bad_exec, 1, 'exec("z = 1")', UnsupportedSyntaxError),
    (bad_eval, 1, 'y = eval("x") * 2.0', UnsupportedSyntaxError),
    (bad_async, 0, "async def bad_async(x):", UnsupportedSyntaxError),
    # the whole async def is rejected before its body is looked at, so the def line is reported
    (bad_await, 0, "async def bad_await(x):", UnsupportedSyntaxError),
    (bad_class, 1, "class Box:", UnsupportedSyntaxError),
    (bad_import, 1, "import math", UnsupportedSyntaxError),
    (bad_import_from, 1, "from math import pi", UnsupportedSyntaxError),
    (bad_walrus, 1, "y = (z := x * 2.0) + 1.0", UnsupportedSyntaxError),
    (bad_match, 1, "match x:", UnsupportedSyntaxError),
    (bad_set_comp, 1, "s = {v for v in (1.0, 2.0)}", UnsupportedSyntaxError),
    (bad_dict_comp, 1, 'd = {k: x for k in "ab"}', UnsupportedSyntaxError),
    (bad_set_literal, 1, "s = {1.0, 2.0}", UnsupportedSyntaxError),
    (bad_attribute_assign, 2, "holder.value = x * 2.0", UnsupportedSyntaxError),
    (bad_attribute_augassign, 2, "holder.value += x", UnsupportedSyntaxError),
    (bad_bare_return, 2, "return", UnsupportedSyntaxError),
    (bad_no_return, 0, "def bad_no_return(x):", UnsupportedSyntaxError),
    (bad_starred_assign, 1, "a, *b = (x, x, x)", UnsupportedSyntaxError),
    (bad_globals_call, 1, "g = globals()", UnsupportedSyntaxError),
]


@pytest.mark.parametrize(("func", "offset", "text", "error"), UNSUPPORTED,
                         ids=[case[0].__name__ for case in UNSUPPORTED])
def test_unsupported_construct_names_file_line_and_text(func: Callable, offset: int, text: str, error: type):
    lineno, line = source_line(func, offset)
    assert line == text  # the offset really points at the construct
    df = srcgrad.grad(func)  # nothing is compiled yet
    with pytest.raises(error) as info:
        df(1.5)
    assert isinstance(info.value, SrcgradError)
    assert_points_at(str(info.value), THIS_FILE, lineno, text)
    assert info.value.origin is not None and info.value.origin.lineno == lineno
    assert info.value.hint  # says what to do instead


@pytest.mark.parametrize("func", [bad_try, bad_walrus], ids=lambda f: f.__name__)
def test_unsupported_syntax_is_raised_at_compile_time_by_every_entry_point(func: Callable):
    """grad() itself is lazy; the first call, `.source` and show() all compile and raise."""
    df = srcgrad.grad(func)
    with pytest.raises(UnsupportedSyntaxError):
        df.source
    with pytest.raises(UnsupportedSyntaxError):
        srcgrad.value_and_grad(func)(1.0)
    with pytest.raises(UnsupportedSyntaxError):
        srcgrad.show(func)


@pytest.mark.parametrize("func, args, want", [
    (bad_lambda, (1.5,), 2.0), (bad_varargs, (1.5, "extra", 3), 2.0), (bad_kwargs, (1.5,), 2.0),
    (bad_star_call, (1.5,), 2.0), (bad_double_star_call, (np.array([1.5, 0.5]),), np.ones(2)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_constructs_srcgrad_once_refused_now_differentiate(func: Callable, args: tuple, want):
    """A lambda in the function, *args and **kwargs in its signature or in a call (closed forms)."""
    value, grad = srcgrad.value_and_grad(func)(*args)
    assert np.all(value == func(*args))
    np.testing.assert_allclose(grad, want, rtol=1e-12)


def test_raise_runs_in_the_forward_pass():
    """A `raise` is the function's own behaviour: the gradient raises what the function raises."""
    with pytest.raises(ValueError, match="no"):
        srcgrad.grad(bad_raise)(1.5)


def bad_only_varargs(*xs):
    return xs[0] * 2.0


def test_signature_with_only_varargs_is_unsupported_syntax():
    lineno, text = source_line(bad_only_varargs, 0)
    with pytest.raises(UnsupportedSyntaxError) as info:
        srcgrad.grad(bad_only_varargs)(1.0)
    assert_points_at(str(info.value), THIS_FILE, lineno, text)


# ---- calls with no derivative rule and no source -------------------------------------------


def uses_deg2rad_on_x(x, c):
    y = np.deg2rad(x)
    return np.sum(y)


def uses_deg2rad_on_c(x, c):
    y = np.deg2rad(c)
    return np.sum(y * x)


def uses_i0(x):
    return np.sum(np.i0(x))


@pytest.mark.parametrize(("func", "offset", "label"), [(uses_deg2rad_on_x, 1, "np.deg2rad"), (uses_i0, 1, "np.i0")],
                         ids=["deg2rad", "i0"])
def test_call_without_rule_on_varied_argument(func: Callable, offset: int, label: str):
    lineno, text = source_line(func, offset)
    args = (np.ones(3), np.ones(3))[: len(inspect.signature(func).parameters)]
    with pytest.raises(NotDifferentiableError) as info:
        srcgrad.grad(func)(*args)
    message = str(info.value)
    assert label in message
    assert_points_at(message, THIS_FILE, lineno, text)
    assert info.value.hint


def test_call_without_rule_on_constant_argument_is_fine():
    x = np.array([0.5, -1.0, 2.0])
    c = np.array([10.0, 20.0, 30.0])
    np.testing.assert_allclose(srcgrad.grad(uses_deg2rad_on_c)(x, c), c * np.pi / 180.0, rtol=1e-12)
    # and with respect to the other argument, np.deg2rad(x) only feeds a constant: no error either
    np.testing.assert_allclose(srcgrad.grad(uses_deg2rad_on_x, wrt="c")(x, c), np.zeros(3))


def test_hints_only_name_functions_that_exist():
    hints = []
    with pytest.raises(NotDifferentiableError) as info:
        srcgrad.grad(uses_deg2rad_on_x)(np.ones(2), np.ones(2))
    hints.append(info.value.hint)
    with pytest.raises(NonScalarOutputError) as info:
        srcgrad.grad(vector_output)(np.ones(2))
    hints.append(info.value.hint)
    for hint in hints:
        for name in re.findall(r"srcgrad\.(\w+)", hint):
            assert hasattr(srcgrad, name), f"hint names srcgrad.{name}: {hint}"


# ---- non-scalar outputs --------------------------------------------------------------------


def vector_output(x):
    return x * 2.0


def list_output(x):
    return [x * 2.0]


def test_non_scalar_output_raises_at_call_time_at_the_return_line():
    df = srcgrad.grad(vector_output)
    assert "def grad_" in df.source  # compiling is fine: the output's shape is only known when run
    lineno, text = source_line(vector_output, 1)
    with pytest.raises(NonScalarOutputError) as info:
        df(np.ones(3))
    message = str(info.value)
    assert "(3,)" in message
    assert_points_at(message, THIS_FILE, lineno, text)
    assert info.value.hint


def test_non_scalar_output_from_value_and_grad_and_containers():
    with pytest.raises(NonScalarOutputError):
        srcgrad.value_and_grad(vector_output)(np.ones((2, 2)))
    with pytest.raises(NonScalarOutputError, match="list"):
        srcgrad.grad(list_output)(1.0)


@pytest.mark.parametrize("shape", [(1,), (1, 1), ()])
def test_size_one_array_output_is_a_scalar(shape: tuple[int, ...]):
    x = np.full(shape, 3.0)
    g = srcgrad.grad(vector_output)(x)
    assert isinstance(g, np.ndarray) and g.shape == shape
    np.testing.assert_allclose(g, np.full(shape, 2.0))


# ---- bad wrt -------------------------------------------------------------------------------


def two_args(x, c):
    return np.sum(x * c)


@pytest.mark.parametrize("wrt", [2, -3, 100, "z", "X", (0, "z"), (0, 0), ("x", 0), ("c", "c"), 1.0, None, True,
                                 b"x", (0, 1.5)], ids=repr)
def test_bad_wrt(wrt: Any):
    with pytest.raises(WrtError) as info:
        srcgrad.grad(two_args, wrt=wrt)
    assert isinstance(info.value, SrcgradError)
    message = str(info.value)
    if isinstance(wrt, int) and not isinstance(wrt, bool) or wrt in ("z", "X"):
        assert "two_args" in message and "x, c" in message  # names the function and its parameters


def test_bad_wrt_in_decorator_and_value_and_grad():
    with pytest.raises(WrtError):
        srcgrad.grad(wrt=5)(two_args)
    with pytest.raises(WrtError):
        srcgrad.value_and_grad(two_args, wrt="nope")


def test_grad_of_a_non_callable():
    with pytest.raises(WrtError):
        srcgrad.grad(3.0)


# ---- source unavailable --------------------------------------------------------------------


def _exec_function(name: str, with_module_name: bool = True) -> Callable:
    """A function defined by exec, so it has no source file."""
    namespace: dict[str, Any] = {"np": np}
    if with_module_name:
        namespace["__name__"] = "generated_by_exec"
    exec(f"def {name}(x):\n    return x * 2.0\n", namespace)
    return namespace[name]


def test_function_defined_by_exec_has_no_source():
    f = _exec_function("from_exec")
    df = srcgrad.grad(f)
    with pytest.raises(SourceUnavailableError) as info:
        df(1.0)
    assert "from_exec" in str(info.value)
    assert info.value.hint


def test_helper_defined_by_exec_names_the_call_site():
    helper = _exec_function("exec_helper")

    def loss(x):
        y = helper(x)
        return y

    lineno, _ = source_line(loss, 1)
    with pytest.raises(SourceUnavailableError) as info:
        srcgrad.grad(loss)(1.0)
    message = str(info.value)
    assert "exec_helper" in message
    assert f"{THIS_FILE}, line {lineno}" in message


def test_helper_defined_by_exec_without_module_name():
    helper = _exec_function("exec_helper_no_module", with_module_name=False)

    def loss(x):
        y = helper(x)
        return y

    with pytest.raises(SourceUnavailableError):
        srcgrad.grad(loss)(1.0)


@pytest.mark.parametrize("builtin", [math.factorial, np.unique], ids=["math.factorial", "np.unique"])
def test_builtin_function_without_rule_has_no_source(builtin: Callable):
    # a builtin with a rule (math.sin, np.sin) is differentiated through it: tests/test_call_errors.py
    with pytest.raises(SourceUnavailableError):
        srcgrad.grad(builtin)(1.0)


# ---- errors inside helpers -----------------------------------------------------------------

HELPERS = """
import numpy as np

def helper_try(v):
    try:
        w = v * 2.0
    except ValueError:
        w = v
    return w

def helper_no_rule(v):
    w = np.deg2rad(v)
    return w

def helper_attr(v):
    box = np.zeros(1)
    box.flags = v
    return v
"""


@pytest.fixture
def helpers(tmp_path: Path) -> types.ModuleType:
    """A helper module in its own file."""
    return load_module(tmp_path / "srcgrad_error_helpers.py", HELPERS)


@pytest.mark.parametrize(("helper_name", "offset", "error"), [
    ("helper_try", 1, UnsupportedSyntaxError),
    ("helper_no_rule", 1, NotDifferentiableError),
    ("helper_attr", 2, UnsupportedSyntaxError),
])
def test_error_in_helper_names_the_helpers_file_and_line(helpers: types.ModuleType, helper_name: str, offset: int,
                                                         error: type):
    helper = getattr(helpers, helper_name)

    def loss(x):
        y = helper(x)
        return np.sum(y)

    helper_line, helper_text = source_line(helper, offset)
    call_line, _ = source_line(loss, 1)
    with pytest.raises(error) as info:
        srcgrad.grad(loss)(np.ones(2))
    message = str(info.value)
    assert_points_at(message, helpers.__file__, helper_line, helper_text)
    assert f"{THIS_FILE}, line {call_line}" in message  # and where the loss called it


def test_error_in_helper_in_the_same_file():
    def inner(v):
        del v
        return 1.0

    def loss(x):
        return inner(x)

    lineno, text = source_line(inner, 1)
    with pytest.raises(UnsupportedSyntaxError) as info:
        srcgrad.grad(loss)(1.0)
    assert_points_at(str(info.value), THIS_FILE, lineno, text)


# ---- messages that quote the user's code as written ---------------------------------------


def _opens_a_file(a, b):
    with open(__file__) as fh:
        fh.read()
    return a * b


def _calls_over_two_lines(x):
    y = _opens_a_file(x,
                      2.0)
    return np.sum(y)


def _yields_rows(p):
    for i in range(2):
        yield p[i]


def _sums_yielded_rows(p):
    t = 0.0
    for row in _yields_rows(p):
        t = t + np.sum(row ** 2)
    return t


def _frexp_mantissa(x):
    return np.frexp(x)[0]


_BY_NAME = {"mantissa": _frexp_mantissa}


def _calls_through_a_dict(x):
    return np.sum(_BY_NAME["mantissa"](x))


def test_a_call_written_over_two_lines_is_quoted_whole() -> None:
    with pytest.raises(UnsupportedSyntaxError) as info:
        srcgrad.grad(_calls_over_two_lines)(np.ones(3))
    line, _ = source_line(_calls_over_two_lines, 1)
    assert f"line {line}: y = _opens_a_file(x, 2.0))" in str(info.value)


def test_a_loop_header_is_quoted_without_its_body() -> None:
    with pytest.raises(UnsupportedSyntaxError) as info:
        srcgrad.grad(_sums_yielded_rows)(np.ones((2, 3)))
    message = str(info.value)
    assert "for row in _yields_rows(p):)" in message and "return a list instead" in message.lower()
    assert "np.sum(row" not in message.split("called from")[1]


def test_a_callee_reached_through_a_dict_is_named_as_written_and_no_generated_code_is_quoted() -> None:
    with pytest.raises(NotDifferentiableError) as info:
        srcgrad.grad(_calls_through_a_dict)(np.ones(2))
    message = str(info.value)
    assert "np.frexp" in message and 'return np.sum(_BY_NAME["mantissa"](x))' in message
    assert "<srcgrad" not in message and "<expression>" not in message
