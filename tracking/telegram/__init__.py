"""Telegram: the installation's bot, a user's linked chat and which channels they want."""
