"""Fictional demo data for a partnership, and the generator of synthetic data at scale
for benchmarks."""
