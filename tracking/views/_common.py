"""Deprecated: kept only while sprints/views still imports it. Use tracking.form_errors."""

from ..form_errors import apply_errors, error_text

__all__ = ["apply_errors", "error_text"]
