"""National dashboard and reports: data and the invariants of one row."""
