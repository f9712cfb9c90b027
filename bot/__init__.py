"""Lianxin (连心): the application layer — config, domain, routing, jobs, texts, wiring."""
