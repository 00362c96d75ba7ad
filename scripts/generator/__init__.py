"""Demo data generator for OpenPrimărie (run it with scripts/generate)."""
