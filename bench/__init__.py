"""Djemaa's benchmark suite: `make bench` (see bench/README.md). Never imported by the forum."""
