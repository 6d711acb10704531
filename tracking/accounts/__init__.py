"""Accounts and security: the user and the sign-in audit (models.py), sign-in throttling and
sessions (security.py), two-factor sign-in (two_factor.py, its secrets encrypted by
mfa_secrets.py), the caches the throttle counts in, and the account pages (views.py).

It stands below the core: a business's members are users; nothing here knows a business.
"""
