"""Reverse mode: `sweep.reverse` builds the forward and backward sweeps of one function."""
