"""Benchmarks (`make bench`): each module compares ours against a baseline in one run."""
