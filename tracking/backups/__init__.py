"""Backups: the whole database into one file and back (services.py), as `manage.py backup` and
`restore` (management/commands/). An app of its own (label `backups`, no models) at the top of
the order: it uses the embedded server's own pg_dump and pg_restore (tracking/site/embedded_db.py)."""
