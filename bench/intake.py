"""Intake cost: the bot against a bare python-telegram-bot echo bot, same fake, same load.

    python bench/intake.py [--residents 50] [--messages 10] [--rate 20] [--spread]
                           [--repeat 1] [--database-url URL]

Each bot runs as its own process (`lianxin run`, long polling; the echo bot: PTB with one
MessageHandler that answers every message) against the fake Bot API (tests/fakebot) with its
flood limits off. `residents` residents send `messages` messages each (a report up to its
summary, /my, /help, a second report started and cancelled), `rate` updates per second offered
in all: each resident sends its next message once the previous one was answered and its own
share of the interval has passed. Prints plain `name: value` lines for each bot: updates/s,
the bot process's CPU milliseconds per update (from /proc, start-up excluded), and p50/p95 of
the reply latency (from the update's arrival at the fake to the first answer). Targets: the
bot at most 2x the echo bot's CPU per update; p95 <= 100 ms at 20 updates/s.

By default the residents run the script in lockstep: resident i sends step k within the same
`residents / rate` seconds as every other resident (all 50 send "跳过" within 2.5 s). With
`--spread` resident i starts at step i mod len(SCRIPT) of the script (rotated, wrapping
around), as real residents arrive at different times; the updates per second offered and
each resident's pacing are the same.

With `--repeat N` the two bots are measured N times, alternately (echo, lianxin, echo, …),
so that both see the same moments of a shared machine; each run's figures are printed, then
the medians and the median of the per-run CPU ratios (`cpu_ratio`, the target's figure).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.setup import prepare_database  # noqa: E402
from tests.e2e.conftest import always_open_config  # noqa: E402
from tests.fakebot import FakeTelegram  # noqa: E402

FIRST_RESIDENT = 800_000
SCRIPT = ("/new", "瑞祥社区3号楼门口的路灯坏了好几天", "完成", "瑞祥社区{user}号楼东侧", "跳过",
          "/my", "/help", "/new", "和平里小区门口下水道堵了", "/cancel")
ECHO_BOT = """
import os
from telegram.ext import ApplicationBuilder, MessageHandler, filters
async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text or "ok")
url = os.environ["TELEGRAM_API_URL"]
app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(url + "/bot")
       .build())
app.add_handler(MessageHandler(filters.ALL, echo))
app.run_polling()
"""


def cpu_ms(pid: int) -> float:
    """The process's user + system CPU time so far, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def resident(fake: FakeTelegram, user: int, messages: int, every: float,
                   latencies: list[float], offset: float = 0.0, first_step: int = 0) -> None:
    """After `offset` seconds (its share of the interval), send `messages` messages of the
    script from step `first_step` on (wrapping around), one per `every` seconds at most,
    each after its answer."""
    await asyncio.sleep(offset)
    for i in range(first_step, first_step + messages):
        started = time.perf_counter()
        mark = fake.mark()
        # each resident's own building: the same one would be offered to join (+1)
        fake.send_text(user, SCRIPT[i % len(SCRIPT)].format(user=user))
        await fake.wait_for(user, since=mark, timeout=60)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(max(0.0, started + every - time.perf_counter()))


async def measure(name: str, args: list[str], env: dict[str, str], fake: FakeTelegram,
                  residents: int, messages: int, rate: float, spread: bool,
                  workdir: Path) -> dict[str, float]:
    """One bot's figures for one run: updates, updates/s, CPU ms per update, p50/p95 ms."""
    with (workdir / f"{name}.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(*args, env=env, cwd=workdir,
                                                       stdout=log, stderr=log)
    try:
        await fake.wait_polling(timeout=120)
        users = [FIRST_RESIDENT + i for i in range(residents)]
        for user in users:
            fake.add_user(user, f"居民{user}")
        latencies: list[float] = []
        await resident(fake, users[0], 1, 0.0, [])   # warm-up: first update paths loaded
        before, started = cpu_ms(process.pid), time.perf_counter()
        every = residents / rate
        # resident i starts i/rate seconds in: the updates arrive `rate` per second, not all
        # residents at once every `every` seconds (a burst Telegram's 30/s would queue)
        # --spread: resident i starts at step i of the script, not all at step 0
        await asyncio.gather(*(resident(fake, u, messages, every, latencies, i / rate,
                                        i % len(SCRIPT) if spread else 0)
                               for i, u in enumerate(users)))
        elapsed, spent = time.perf_counter() - started, cpu_ms(process.pid) - before
    finally:
        process.terminate()
        await process.wait()
    updates = residents * messages
    quantiles = statistics.quantiles(latencies, n=100)
    return {"updates": updates, "updates_per_s": updates / elapsed,
            "cpu_ms_per_update": spent / updates, "latency_p50_ms": quantiles[49] * 1000,
            "latency_p95_ms": quantiles[94] * 1000}


def report(name: str, figures: dict[str, float]) -> None:
    for key, value in figures.items():
        print(f"{name}_{key}: {value:.0f}" if key == "updates" else f"{name}_{key}: {value:.2f}")


async def main(residents: int, messages: int, rate: float, spread: bool, repeat: int,
               url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = always_open_config(workdir / "lianxin.yaml")
        base = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                "LIANXIN_CONFIG": str(config), "LIANXIN_DATA_DIR": str(workdir / "data"),
                "DATABASE_URL": url or f"sqlite:///{workdir / 'bench.db'}"}
        await prepare_database(base["DATABASE_URL"], upgrade=True)   # `run` does not on PG
        print(f"database: {base['DATABASE_URL'].split(':')[0]}")
        print(f"offered_updates_per_s: {rate}")
        print(f"arrivals: {'spread' if spread else 'lockstep'}")
        runs: dict[str, list[dict[str, float]]] = {"echo": [], "lianxin": []}
        for run in range(1, repeat + 1):
            for name, args in (("echo", [sys.executable, "-c", ECHO_BOT]),
                               ("lianxin", [sys.executable, "-m", "bot.cli", "run"])):
                # update ids of their own: the database keeps earlier runs' as seen
                async with FakeTelegram(flood_limits=False,
                                        first_update_id=run * 1_000_000 + 1) as fake:
                    env = {**base, "TELEGRAM_BOT_TOKEN": fake.token,
                           "TELEGRAM_API_URL": fake.url}
                    figures = await measure(name, args, env, fake, residents, messages, rate,
                                            spread, workdir)
                runs[name].append(figures)
                report(name if repeat == 1 else f"run{run}_{name}", figures)
        if repeat > 1:
            for name, figures in runs.items():
                report(f"median_{name}", {key: statistics.median(f[key] for f in figures)
                                          for key in figures[0]})
        ratios = [ours["cpu_ms_per_update"] / echo["cpu_ms_per_update"]
                  for echo, ours in zip(runs["echo"], runs["lianxin"], strict=True)]
        print(f"cpu_ratio: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--spread", action="store_true",
                        help="each resident starts at a different step of the script")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure both bots this many times, alternately (medians)")
    parser.add_argument("--database-url")
    options = parser.parse_args()
    asyncio.run(main(options.residents, options.messages, options.rate, options.spread,
                     options.repeat, options.database_url))
