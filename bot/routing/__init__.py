"""Routing of residents' requests (DESIGN.md "Routing"): jieba keywords, areas, urgency,
a model learned from dispatchers' choices, and the tools to explain and measure it."""

from bot.routing.evaluate import EvalReport, evaluate, read_labelled_csv
from bot.routing.learned import LearnedModel
from bot.routing.normalise import is_traditional, normalise
from bot.routing.router import Analysis, Candidate, RouteDecision, Router, explain, train

__all__ = [
    "Analysis",
    "Candidate",
    "EvalReport",
    "LearnedModel",
    "RouteDecision",
    "Router",
    "evaluate",
    "explain",
    "is_traditional",
    "normalise",
    "read_labelled_csv",
    "train",
]
