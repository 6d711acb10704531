"""The demo: three businesses as data (businesses/*.py) and the code that seeds them (seed.py)."""
