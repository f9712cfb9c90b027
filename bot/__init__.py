"""Lianxin (连心): the application layer — config, domain, routing, jobs, texts, wiring."""

import os

# PTB 22 warns on every int time period unless this opts in to timedelta values.
os.environ.setdefault("PTB_TIMEDELTA", "1")
