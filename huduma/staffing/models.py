"""Establishment, training and the cross-training planner: data and the invariants of one row."""
