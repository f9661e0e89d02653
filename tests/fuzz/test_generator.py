"""The generator reaches every construct the fuzzing is meant to cover, and its programs run.

Programs are only drawn and executed here (no srcgrad), so this is cheap.
"""
import numpy as np
from hypothesis import HealthCheck, given, settings

from .program import load
from .strategy import programs

# constructs (generator feature tags) that 600 programs must contain (the rarest are in about 1.5%)
REQUIRED = {
    "swap", "tuple_assign", "tuple_shift", "chain_assign", "augassign", "augassign_array", "nonvaried", "fib",
    "int_counter", "arg_float", "arg_float64", "arg_float32", "arg_0d", "arg_array_1d", "arg_array_2d", "float32",
    "broadcast", "reduce_sum", "reduce_mean", "reduce_max", "reduce_prod", "reduce_axis", "reduce_denominator",
    "divide", "call", "call_keyword", "call_default", "if", "elif", "else", "if_assign", "ifexp", "early_return",
    "for_range", "for_array", "for_zip", "for_enumerate", "for_reversed", "for_list", "while", "chain_loop",
    "many_vars", "break", "continue", "list", "list_append", "list_index", "list_sum", "stack", "hstack_tuple",
    "list_concat", "stack_repeat", "sum_list", "tuple_index", "concatenate", "index_shift", "index_fancy",
    "index_mask_const", "index_mask_data", "index_row", "index_scalar", "write_index", "write_index_aug",
    "write_mask", "write_slice_aug", "write_fancy", "alias_name", "alias_aug", "alias_view", "alias_list",
    "aliasing", "random_state", "random_global", "elementwise", "log", "power", "math", "abs", "builtin_max",
    "builtin_min", "maximum", "minimum", "where", "clip", "comprehension", "data_branch",
}


def test_generator_covers_the_constructs(tmp_path) -> None:
    seen: set[str] = set()
    wrt_kinds: set[str] = set()
    ran = 0

    @settings(max_examples=600, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(program=programs())
    def draw(program) -> None:
        nonlocal ran
        seen.update(program.features)
        wrt_kinds.add(type(program.wrt).__name__)
        module = load(program.source(), tmp_path)
        if program.global_seed is not None:
            np.random.seed(program.global_seed)
        saved = [np.copy(a) for a in program.args]
        with np.errstate(all="ignore"):
            value = module.f(*program.args)
        ran += np.ndim(value) == 0
        assert all(np.array_equal(a, b) for a, b in zip(program.args, saved, strict=True)), "f wrote an argument"

    draw()
    assert not REQUIRED - seen, f"never generated: {sorted(REQUIRED - seen)}"
    assert wrt_kinds == {"int", "str", "tuple"}
    assert ran >= 590  # programs run as plain Python and return a scalar
