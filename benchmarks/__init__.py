"""Benchmarks: speed and memory figures quoted in README, each with its command."""
