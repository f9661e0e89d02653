"""Normalization: desugar, then A-normal form (one operation per statement, named temporaries)."""
