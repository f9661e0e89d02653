"""What generated code calls by name: broadcasting, structured adjoints, seeds.

Generated code imports nothing; these functions are handed to it by the compiler.
"""
from srcgrad.runtime.augmented import in_place
from srcgrad.runtime.broadcast import expand, unbroadcast, uniform_adjoint, unreduce
from srcgrad.runtime.dispatch import check_constant_callee, dispatch_bwd, dispatch_fwd, dispatch_jvp
from srcgrad.runtime.structure import (
    Grads,
    as_sequence,
    check_callee_write,
    check_unshared,
    LOOP_OVER,
    check_write,
    clear_adjoint,
    clear_adjoint_inplace,
    complete,
    dict_entry_adjoint,
    copy_item,
    field_index,
    index_add,
    index_add_inplace,
    index_grad,
    item_adjoint,
    part_adjoint,
    repeat_adjoint,
    sequence_adjoint,
    restore_item,
    seed,
    shape_of,
    stop_gradient,
    sum_adjoint,
    take_adjoint,
    zeros_like,
)

__all__ = [
    "expand", "in_place", "uniform_adjoint", "check_constant_callee", "dispatch_bwd", "dispatch_fwd", "dispatch_jvp",
    "Grads", "check_callee_write", "check_unshared", "check_write", "clear_adjoint", "clear_adjoint_inplace", "copy_item", "restore_item", "take_adjoint", "as_sequence", "complete", "dict_entry_adjoint", "field_index", "index_add", "index_add_inplace", "index_grad", "item_adjoint", "part_adjoint", "repeat_adjoint", "sequence_adjoint", "seed", "shape_of", "stop_gradient", "sum_adjoint",
    "unbroadcast", "unreduce", "zeros_like",
]
