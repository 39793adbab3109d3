"""Digital assistant: data and the invariants of one row."""
