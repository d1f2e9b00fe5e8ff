"""Benchmark suite, load test and profiles (see bench/README.md)."""
