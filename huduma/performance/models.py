"""Service standards, appraisal and savings: data and the invariants of one row."""
