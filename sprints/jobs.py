"""Moved by topic: reminders.py, rollups.py and digest.py. These names stay here only for the
demo command and its test, which are being rewritten apart from code; remove with them."""

from .rollups import pending_report_ids, reports_email, sprint_rollups

__all__ = ["pending_report_ids", "reports_email", "sprint_rollups"]
