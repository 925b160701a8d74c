"""Benchmarks and their data: each module prints its figures next to their targets (`make bench`)."""
