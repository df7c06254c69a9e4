"""File exports, Telegram reports and write-backs built from the marts."""
