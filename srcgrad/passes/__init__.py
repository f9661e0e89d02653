"""Passes: pure functions from tree to tree, run in a flat list by `passes.manager.run`."""
