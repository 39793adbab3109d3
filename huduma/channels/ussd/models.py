"""mHuduma over USSD: data and the invariants of one row."""
