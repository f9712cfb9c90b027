"""The domain: statuses, roles, the rules table, transitions, the working-day calendar,
durations and domain errors. No I/O: no sessions, no queries, no Telegram, no texts."""
