"""Transforms: reverse mode (forward sweep + tape + backward sweep) from normalized code."""
