"""The weekly loop in Telegram: reminders and the digest rendered for a chat, and the bot's
conversation that logs results through the same services as the results page."""
