"""The `lianxin` command: run, db upgrade, check-config, demo-config, routing, staff,
residents."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import Config, ConfigError, staffing_problems
from bot.domain.staffing import StaffError
from bot.setup import (
    SetupError,
    api_url,
    bot_token,
    config_path,
    data_dir,
    prepare_database,
    read_config,
)
from storage.db import database_url

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.staff import StaffRow

log = logging.getLogger("lianxin")


def _run(args: argparse.Namespace) -> int:
    from bot.app import Settings, run

    config = read_config(args.config)
    token = bot_token()
    asyncio.run(prepare_database())
    run(Settings(config=config, token=token, api_url=api_url(), database_url=database_url(),
                 data_dir=data_dir(), instances=args.instances),
        webhook=args.webhook, listen=args.listen)
    return 0


def _db(args: argparse.Namespace) -> int:
    asyncio.run(prepare_database(upgrade=True))
    print("database is up to date")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    source = config_path(args.config)
    errors, warnings = staffing_problems(config)
    if errors:
        raise ConfigError([f"{source}: {e}" for e in errors])
    for warning in warnings:
        print(f"{source}: {warning}", file=sys.stderr)
    print(f"ok: {len(config.departments)} departments, {len(config.categories)} categories, "
          f"{len(config.areas)} areas, {len(config.staff)} staff")
    for code, configured, used in asyncio.run(_outdated_chats(config)):
        index = next(i for i, d in enumerate(config.departments) if d.code == code)
        print(f"outdated: departments[{index}] ({code}) chat_id {configured}: Telegram "
              f"upgraded the group to a supergroup, now {used} (the bot uses it); set "
              f"chat_id: {used}")
    return 0


async def _outdated_chats(config: Config) -> list[tuple[str, int, int]]:
    """Departments whose group Telegram moved, per the database (none if it has no schema
    yet or cannot be reached: check-config does not create or upgrade it)."""
    from sqlalchemy.engine import make_url

    from bot.services.reach import outdated_chats
    from storage.db import create_engine, session_factory

    url = database_url()
    if url.startswith("sqlite") and not Path(make_url(url).database or "").exists():
        return []
    engine = create_engine(url)
    try:
        return await outdated_chats(session_factory(engine), config)
    except Exception as exc:
        log.warning("department chats not checked against the database: %s", exc)
        return []
    finally:
        await engine.dispose()


def _demo_config(args: argparse.Namespace) -> int:
    sys.stdout.write(files("bot").joinpath("demo_config.yaml").read_text(encoding="utf-8"))
    return 0


def _routing(args: argparse.Namespace) -> int:
    from bot import routing

    config = read_config(args.config)
    if args.routing_command == "explain":
        router = routing.Router.build(config, data_dir())
        print(routing.explain(router, args.text, address=args.address))
    elif args.routing_command == "eval":
        test_rows = routing.read_labelled_csv(Path(args.test), config)
        train_rows = routing.read_labelled_csv(Path(args.train), config) if args.train else None
        print(routing.evaluate(config, data_dir(), test_rows, train_rows).format())
    else:
        return asyncio.run(_with_services(config, _train))
    return 0


async def _with_services(config: Config, use: Callable[[Services], Awaitable[int]]) -> int:
    """Run `use` over the services on DATABASE_URL (checked and upgraded first)."""
    from bot.app import Settings, build_services
    from storage.db import create_engine

    await prepare_database()
    engine = create_engine(database_url())
    settings = Settings(config=config, token="", api_url="", database_url=database_url(),
                        data_dir=data_dir())
    try:
        return await use(await build_services(settings, engine))
    finally:
        await engine.dispose()


async def _train(svc: Services) -> int:
    from bot.services.learning import retrain

    learned = await retrain(svc)
    print(f"trained on {learned} routed requests" if learned else
          "not enough routed requests to learn from yet")
    return 0


def _deadlines(args: argparse.Namespace) -> int:
    from bot.services.deadlines import recompute_deadlines

    async def recompute(svc: Services) -> int:
        changes = await recompute_deadlines(svc, apply=not args.dry_run)
        tz = svc.config.tz
        for change in changes:
            for name, (old, new) in (("accept_due", change.accept_due),
                                     ("answer_due", change.answer_due)):
                if old != new:
                    print(f"{change.number} {name}: {_local(old, tz)} -> {_local(new, tz)}")
        verb = "would change" if args.dry_run else "changed"
        print(f"{verb} {len(changes)} open requests ({tz.key})")
        return 0

    return asyncio.run(_with_services(read_config(args.config), recompute))


def _staff(args: argparse.Namespace) -> int:
    from bot.services import staff

    async def manage(svc: Services) -> int:
        if args.staff_command == "add":
            row = await staff.add_staff(svc, telegram_id=args.telegram_id, name=args.name,
                                        role=args.role, department=args.department)
            print(f"added {row.telegram_id} {row.name}: {row.role}"
                  f"{f' of {row.department}' if row.department else ''}, effective now")
        elif args.staff_command == "remove":
            removed = await staff.remove_staff(svc, telegram_id=args.telegram_id)
            print(f"removed {args.telegram_id} {removed.name}; "
                  f"{removed.released} open tasks given back")
        elif args.staff_command == "invite":
            invite = await staff.create_invite(svc, department=args.department, role=args.role)
            print(f"invite code {invite.code} (single use, until "
                  f"{_local(invite.expires_at, svc.config.tz)} {svc.config.tz.key}): "
                  f"the new member sends /start {invite.code} to the bot")
        else:
            _print_staff(await staff.list_staff(svc))
        return 0

    return asyncio.run(_with_services(read_config(args.config), manage))


def _residents(args: argparse.Namespace) -> int:
    from bot.services import access

    async def manage(svc: Services) -> int:
        if args.residents_command == "block":
            await access.block_resident(svc, resident_id=args.id, reason=args.reason)
            print(f"blocked {args.id}: their reports go to triage, flagged: {args.reason}")
        elif args.residents_command == "unblock":
            lifted = await access.unblock_resident(svc, resident_id=args.id)
            print(f"unblocked {args.id}" if lifted else f"{args.id} was not blocked")
        else:
            rows = await access.blocked_residents(svc)
            _print_table([("id", "since", "reason")] + [
                (str(r.telegram_id), _local(r.since, svc.config.tz), r.reason) for r in rows])
        return 0

    return asyncio.run(_with_services(read_config(args.config), manage))


def _print_staff(rows: Sequence[StaffRow]) -> None:
    _print_table([("id", "name", "role", "department", "source", "active")] + [
        (str(r.telegram_id), r.name, r.role, r.department or "-", r.source,
         "yes" if r.active else "no") for r in rows])


def _print_table(table: Sequence[Sequence[str]]) -> None:
    """Rows of cells in columns (the first row the header), CJK-aware."""
    widths = [max(_width(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell + " " * (width - _width(cell))
                        for cell, width in zip(line, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}" if moment else "-"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lianxin", description="连心 群众诉求 Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
                *, config: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if config:
            sub.add_argument("--config", help="YAML config (default: $LIANXIN_CONFIG or "
                                              "./lianxin.yaml)")
        sub.set_defaults(handler=handler)
        return sub

    run = command("run", _run, "run the bot (long polling, or --webhook)")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL of the webhook")
    run.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
                     help="where the webhook server listens (behind the reverse proxy)")
    run.add_argument("--instances", type=int, default=1, metavar="N",
                     help="instances sharing the token (webhook): each sends at most 1/N of "
                          "Telegram's ~30 messages/s")
    db = command("db", _db, "database schema", config=False)
    db.add_argument("action", choices=["upgrade"])
    command("check-config", _check_config, "validate the config and exit")
    command("demo-config", _demo_config, "print a complete example config", config=False)
    routing = command("routing", _routing, "explain, evaluate or retrain the router")
    actions = routing.add_subparsers(dest="routing_command", required=True)
    # --config also after the action (`routing eval --config office.yaml`); SUPPRESS
    # keeps a value given before the action when none is given after it.
    action_config = argparse.ArgumentParser(add_help=False)
    action_config.add_argument("--config", default=argparse.SUPPRESS,
                               help="YAML config (as before the action)")
    explain = actions.add_parser("explain", parents=[action_config],
                                 help="tokens, scores and decision for a text")
    explain.add_argument("text")
    explain.add_argument("--address")
    evaluate = actions.add_parser("eval", parents=[action_config],
                                  help="score the router on a labelled CSV")
    evaluate.add_argument("--test", required=True, metavar="FILE.csv")
    evaluate.add_argument("--train", metavar="FILE.csv")
    actions.add_parser("train", parents=[action_config],
                       help="learn from what the office routed")
    deadlines = command("deadlines", _deadlines,
                        "recompute open requests' deadlines after a calendar or limits edit")
    deadlines.add_argument("action", choices=["recompute"])
    deadlines.add_argument("--dry-run", action="store_true",
                           help="list the changes without writing them")
    _staff_parser(command("staff", _staff, "add, remove, list or invite staff"))
    residents = command("residents", _residents, "block, unblock or list blocked residents")
    actions = residents.add_subparsers(dest="residents_command", required=True)
    block = actions.add_parser("block", help="their reports go to triage, flagged; they are "
                                             "answered as usual")
    block.add_argument("id", type=int, help="the resident's Telegram user id")
    block.add_argument("--reason", required=True, help="shown on the office's triage card")
    unblock = actions.add_parser("unblock", help="lift a block")
    unblock.add_argument("id", type=int, help="the resident's Telegram user id")
    actions.add_parser("list-blocked", help="every blocked resident: id, since, reason")
    return parser


def _staff_parser(staff: argparse.ArgumentParser) -> None:
    roles = ["assignee", "dispatcher", "supervisor", "admin", "grid"]
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="add a member, effective at once")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=roles, required=True)
    add.add_argument("--department", help="a department code (assignee, supervisor)")
    remove = actions.add_parser("remove", help="remove a member; their tasks go back")
    remove.add_argument("--telegram-id", type=int, required=True)
    actions.add_parser("list", help="every member: id, name, role, department, source")
    invite = actions.add_parser("invite", help="print a one-time invite code (72 h)")
    invite.add_argument("--role", choices=roles, required=True)
    invite.add_argument("--department", help="a department code (assignee, supervisor)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return args.handler(args)
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except (SetupError, StaffError, ValueError) as exc:
        print(f"lianxin: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
