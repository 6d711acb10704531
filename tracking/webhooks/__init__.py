"""Outgoing webhooks of a business: its subscriptions, the events the core and the apps above
raise (events.py), and their delivery through the outbox (services.py)."""
