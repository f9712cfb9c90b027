"""The layers' import rules (DESIGN.md "Layout"), read from the source so they cannot drift.

Arrows point one way: handlers → services → domain; services → storage; notify → domain;
delivery → storage. Only app, delivery and handlers import telegram.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")

# module prefix → what it must never import (prefixes)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot.domain": ("telegram", "sqlalchemy", "storage", "handlers", "bot.notify",
                   "bot.services", "bot.delivery", "bot.routing", "bot.app", "bot.cli"),
    "bot.routing": ("telegram", "sqlalchemy", "storage", "handlers", "bot.notify",
                    "bot.services", "bot.delivery", "bot.app", "bot.cli"),
    "bot.notify": ("telegram", "sqlalchemy", "storage", "handlers", "bot.services",
                   "bot.delivery", "bot.app", "bot.cli"),
    "bot.services": ("telegram", "handlers", "bot.delivery", "bot.app", "bot.cli"),
    "bot.delivery": ("handlers", "bot.services", "bot.notify", "bot.app", "bot.cli"),
    "bot.config": ("telegram", "sqlalchemy", "storage", "handlers", "bot.services",
                   "bot.notify", "bot.delivery", "bot.app"),
    "handlers": ("storage", "sqlalchemy", "bot.app", "bot.cli"),
    "storage": ("bot", "handlers", "telegram"),
    # Telegram's size limits in Telegram's units: a leaf every layer may use
    "bot.limits": ("bot", "handlers", "storage", "telegram", "sqlalchemy"),
}
TELEGRAM_ALLOWED = ("bot.app", "bot.delivery", "handlers")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, type-checking-only imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                 if "migrations" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_arrows(path: Path) -> None:
    module, imported = _module(path), _imports(path)
    for layer, forbidden in FORBIDDEN.items():
        if _within(module, layer):
            wrong = sorted(n for n in imported for f in forbidden if _within(n, f))
            assert not wrong, f"{module} ({layer}) must not import {wrong}"
    if not any(_within(module, allowed) for allowed in TELEGRAM_ALLOWED):
        assert not [n for n in imported if _within(n, "telegram")], (
            f"{module} imports telegram: only app, delivery and handlers may")
    if module != "bot.cli":
        assert not [n for n in imported if _within(n, "bot.app")], (
            f"{module} imports the composition root")


def test_the_rules_see_every_layer() -> None:
    """A new top-level package of bot/ must be placed in the rules before it can be used."""
    placed = {"domain", "routing", "notify", "services", "delivery", "config", "app", "cli",
              "setup", "limits", "__init__"}
    present = {p.stem if p.is_file() else p.name for p in (ROOT / "bot").iterdir()
               if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert present <= placed, f"unplaced modules in bot/: {sorted(present - placed)}"


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: a domain module importing sqlalchemy is found."""
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy.orm import Session\nimport telegram\n")
    assert {"sqlalchemy.orm", "sqlalchemy.orm.Session", "telegram"} <= _imports(sample)
