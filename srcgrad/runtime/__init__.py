"""What generated code calls by name: broadcasting, structured adjoints, seeds.

Generated code imports nothing; these functions are handed to it by the compiler.
"""
from srcgrad.runtime.broadcast import unbroadcast, unreduce, unreduce_like
from srcgrad.runtime.structure import (
    Grads,
    as_sequence,
    complete,
    field_index,
    index_add,
    index_add_inplace,
    index_grad,
    item_adjoint,
    seed,
    stop_gradient,
    sum_adjoint,
    zeros_like,
)

__all__ = [
    "Grads", "as_sequence", "complete", "field_index", "index_add", "index_add_inplace", "index_grad", "item_adjoint", "seed", "stop_gradient", "sum_adjoint",
    "unbroadcast", "unreduce", "unreduce_like", "zeros_like",
]
