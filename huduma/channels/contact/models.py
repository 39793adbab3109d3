"""Huduma Contact Centre: data and the invariants of one row."""
