"""Province-scale benchmarks (not tests): `python -m bench` or `make bench`."""
