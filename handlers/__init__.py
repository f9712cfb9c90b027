"""Telegram-facing handlers: parse the update, call the domain, render the answer."""
