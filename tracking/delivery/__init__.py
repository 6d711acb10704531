"""Delivery: the outbox, every message the product sends (its rows in models.py, writing,
sending and retrying in outbox.py). It stands at the bottom: it knows a recipient's address
and language, nothing of accounts' security or of businesses."""
