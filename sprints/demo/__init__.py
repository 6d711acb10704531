"""The demo: three businesses as data (businesses/*.json) and the code that seeds them (seed.py)."""
