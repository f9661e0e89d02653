"""A corpus of realistic NumPy/SciPy loss functions, each module with its own `cases()` (see README.md)."""
