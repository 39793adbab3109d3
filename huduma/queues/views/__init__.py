"""Queue pages, one module per person on the floor."""
