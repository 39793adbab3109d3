"""Field-kit sync: batches received from kits, conflicts held for a person, sequence gaps."""
