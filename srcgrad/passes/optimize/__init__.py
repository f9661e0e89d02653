"""Optimizations on generated code: algebraic simplification and removal of provable no-ops."""
