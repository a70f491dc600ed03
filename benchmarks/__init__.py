"""Benchmarks of the alignment engine (see benchmarks/README.md)."""
