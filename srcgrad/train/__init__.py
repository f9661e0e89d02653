"""Training: the minibatch driver `fit`, its `History`, checkpoints and evaluation.

Knows nothing of syntax trees: it only calls the gradient function that
`srcgrad.value_and_grad` compiles (or one you pass in).
"""
from srcgrad.train.checkpoint import load_checkpoint, save_checkpoint
from srcgrad.train.evaluate import evaluate
from srcgrad.train.fit import TrainState, fit
from srcgrad.train.history import History

__all__ = ["fit", "History", "TrainState", "evaluate", "load_checkpoint", "save_checkpoint"]
