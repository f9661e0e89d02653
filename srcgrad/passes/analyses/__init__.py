"""Analyses: facts about a normalized tree (activity, call resolution) that transforms consult."""
