"""Tables, sessions and queries. Knows nothing of Telegram."""
