"""The benchmark (`make bench`, `make bench-province`): run `python bench/run.py --help`."""
