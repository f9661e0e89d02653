"""Optimizers with PyTorch's update equations, and learning-rate schedules.

Optimizers are pure: `state = opt.init(params)`, then `params, state = opt.update(params, grads, state)`
on any tree of arrays (nested dict/list/tuple). `srcgrad.fit` drives them for you.
"""
from srcgrad.optim.adagrad import Adagrad
from srcgrad.optim.adam import Adam, AdamW
from srcgrad.optim.base import Optimizer, clip_by_global_norm, global_norm
from srcgrad.optim.rmsprop import RMSprop
from srcgrad.optim.schedules import cosine_lr, exponential_lr, step_lr, warmup
from srcgrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Optimizer", "clip_by_global_norm", "global_norm",
           "step_lr", "exponential_lr", "cosine_lr", "warmup"]
