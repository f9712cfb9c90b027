"""Presentation: the text catalogue, cards, lists and keyboards, the callback-data format, and
the notification policy (which event tells whom what)."""
