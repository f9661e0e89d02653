"""Data-parallel training on Dask distributed: `srcgrad.fit(..., cluster="local")`.

Needs the optional extra: `pip install 'srcgrad[distributed]'`. The driver keeps the
parameters and the optimizer; workers keep the data and compute gradients (see `engine`).
"""
from srcgrad.distributed.engine import ClusterError, DataParallel, connect

__all__ = ["ClusterError", "DataParallel", "connect"]
