"""The `lianxin` command: one clear line and exit 2 for whatever the admin must fix."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.conftest import DEMO_CONFIG, demo_config_data


def lianxin(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "LIANXIN_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, text=True,
                          capture_output=True, env={**base, **env}, timeout=120)


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_no_config_says_how_to_write_one(tmp_path: Path) -> None:
    result = lianxin("run", cwd=tmp_path, TELEGRAM_BOT_TOKEN="1:x")
    assert_one_clear_line(result, "lianxin demo-config > lianxin.yaml")


def test_missing_token_says_where_to_get_one(tmp_path: Path) -> None:
    result = lianxin("run", "--config", str(DEMO_CONFIG), cwd=tmp_path)
    assert_one_clear_line(result, "TELEGRAM_BOT_TOKEN", "@BotFather")


def test_bad_config_is_refused_by_run_and_check_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_CONFIG.read_text(encoding="utf-8").replace("accept: 4h", "accept: soon"),
                   encoding="utf-8")
    for command in ("run", "check-config"):
        result = lianxin(command, cwd=tmp_path, LIANXIN_CONFIG=str(bad), TELEGRAM_BOT_TOKEN="1:x")
        assert_one_clear_line(result, f"{bad}: limits.accept: 'soon' is not a duration")


def test_unreachable_database(tmp_path: Path) -> None:
    result = lianxin("run", "--config", str(DEMO_CONFIG), cwd=tmp_path, TELEGRAM_BOT_TOKEN="1:x",
                     DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert_one_clear_line(result, "cannot reach the database", "DATABASE_URL")


def test_demo_config_passes_check_config(tmp_path: Path) -> None:
    demo = lianxin("demo-config", cwd=tmp_path)
    assert demo.returncode == 0
    (tmp_path / "lianxin.yaml").write_text(demo.stdout, encoding="utf-8")
    checked = lianxin("check-config", cwd=tmp_path)
    assert checked.returncode == 0 and "25 categories" in checked.stdout


def test_db_upgrade(tmp_path: Path, database_url: str) -> None:
    result = lianxin("db", "upgrade", cwd=tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_routing_eval_prints_the_contract_line(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "data" / "routing_fixture.csv"
    result = lianxin("routing", "eval", "--test", str(fixture), "--train", str(fixture),
                     cwd=tmp_path, LIANXIN_CONFIG=str(DEMO_CONFIG))
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"accuracy=\d\.\d{3} macro_f1=\d\.\d{3} triage=\d\.\d{3} per_s=\d+", last)


def test_routing_eval_names_a_bad_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,category\n路灯坏了,streetlight\n下水道堵了,plumbing\n", encoding="utf-8")
    result = lianxin("routing", "eval", "--test", str(bad), cwd=tmp_path,
                     LIANXIN_CONFIG=str(DEMO_CONFIG))
    assert_one_clear_line(result, str(bad), "plumbing")


def test_routing_explain_shows_why(tmp_path: Path) -> None:
    result = lianxin("routing", "explain", "瑞祥社区3号楼门口的路灯坏了", cwd=tmp_path,
                     LIANXIN_CONFIG=str(DEMO_CONFIG))
    assert result.returncode == 0, result.stderr
    assert "路灯" in result.stdout and "streetlight" in result.stdout


def test_deadlines_recompute_dry_run(tmp_path: Path, database_url: str) -> None:
    assert lianxin("db", "upgrade", cwd=tmp_path, DATABASE_URL=database_url).returncode == 0
    result = lianxin("deadlines", "recompute", "--dry-run", "--config", str(DEMO_CONFIG),
                     cwd=tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "would change 0 open requests (Asia/Shanghai)"


def test_staff_add_list_remove_and_invite(tmp_path: Path, database_url: str) -> None:
    env = {"LIANXIN_CONFIG": str(DEMO_CONFIG), "DATABASE_URL": database_url}
    assert lianxin("db", "upgrade", cwd=tmp_path, **env).returncode == 0
    added = lianxin("staff", "add", "--telegram-id", "7001", "--name", "新同事", "--role",
                    "assignee", "--department", "water", cwd=tmp_path, **env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added 7001 新同事: assignee of water, effective now"
    listed = lianxin("staff", "list", cwd=tmp_path, **env).stdout.splitlines()
    assert listed[0].split() == ["id", "name", "role", "department", "source", "active"]
    assert listed[1].split() == ["7001", "新同事", "assignee", "water", "cli", "yes"]

    assert_one_clear_line(lianxin("staff", "add", "--telegram-id", "7002", "--name", "x",
                                  "--role", "assignee", cwd=tmp_path, **env),
                          "lianxin: an assignee needs --department")
    assert_one_clear_line(lianxin("staff", "add", "--telegram-id", "7002", "--name", "x",
                                  "--role", "assignee", "--department", "moon",
                                  cwd=tmp_path, **env),
                          "lianxin: unknown department 'moon'")
    assert_one_clear_line(lianxin("staff", "remove", "--telegram-id", "1001", cwd=tmp_path,
                                  **env), "lianxin: 1001 (王师傅) is listed in the config")
    removed = lianxin("staff", "remove", "--telegram-id", "7001", cwd=tmp_path, **env)
    assert removed.stdout.strip() == "removed 7001 新同事; 0 open tasks given back"
    assert_one_clear_line(lianxin("staff", "remove", "--telegram-id", "7001", cwd=tmp_path,
                                  **env), "lianxin: 7001 is not an active staff member")

    invite = lianxin("staff", "invite", "--role", "supervisor", "--department", "water",
                     cwd=tmp_path, **env)
    assert invite.returncode == 0, invite.stderr
    assert re.search(r"invite code [A-Za-z0-9_-]{16} \(single use, until .*\): "
                     r"the new member sends /start [A-Za-z0-9_-]{16}", invite.stdout)


def _config_with(tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    data = demo_config_data()
    edit(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_check_config_refuses_no_dispatcher(tmp_path: Path) -> None:
    path = _config_with(tmp_path, lambda d: d.update(
        staff=[s for s in d["staff"] if s["role"] != "dispatcher"]))
    assert_one_clear_line(lianxin("check-config", "--config", str(path), cwd=tmp_path),
                          f"{path}: staff: no dispatcher")


def test_check_config_warns_of_a_department_reaching_nobody(tmp_path: Path) -> None:
    path = _config_with(tmp_path, lambda d: d.update(
        staff=[s for s in d["staff"] if s.get("department") != "water"]))
    result = lianxin("check-config", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{path}: departments[1]: warning: 'water' has no assignee" in result.stderr
    assert "municipal" not in result.stderr   # it has a group chat and an assignee


def test_residents_block_list_and_unblock(tmp_path: Path, database_url: str) -> None:
    env = {"LIANXIN_CONFIG": str(DEMO_CONFIG), "DATABASE_URL": database_url}
    assert lianxin("db", "upgrade", cwd=tmp_path, **env).returncode == 0
    blocked = lianxin("residents", "block", "5001", "--reason", "多次恶意重复反映",
                      cwd=tmp_path, **env)
    assert blocked.returncode == 0, blocked.stderr
    assert blocked.stdout.strip() == (
        "blocked 5001: their reports go to triage, flagged: 多次恶意重复反映")
    listed = lianxin("residents", "list-blocked", cwd=tmp_path, **env).stdout.splitlines()
    assert listed[0].split() == ["id", "since", "reason"]
    assert listed[1].split()[0] == "5001" and listed[1].split()[-1] == "多次恶意重复反映"
    assert_one_clear_line(lianxin("residents", "block", "5002", "--reason", " ",
                                  cwd=tmp_path, **env), "lianxin: a block needs a --reason")
    assert lianxin("residents", "unblock", "5001", cwd=tmp_path,
                   **env).stdout.strip() == "unblocked 5001"
    assert lianxin("residents", "unblock", "5001", cwd=tmp_path,
                   **env).stdout.strip() == "5001 was not blocked"
    assert lianxin("residents", "list-blocked", cwd=tmp_path,
                   **env).stdout.splitlines() == ["id  since  reason"]


def test_staff_add_a_grid_worker(tmp_path: Path, database_url: str) -> None:
    env = {"LIANXIN_CONFIG": str(DEMO_CONFIG), "DATABASE_URL": database_url}
    assert lianxin("db", "upgrade", cwd=tmp_path, **env).returncode == 0
    added = lianxin("staff", "add", "--telegram-id", "7101", "--name", "网格员小王", "--role",
                    "grid", "--department", "heping_office", cwd=tmp_path, **env)
    assert added.stdout.strip() == "added 7101 网格员小王: grid of heping_office, effective now"
    alone = lianxin("staff", "add", "--telegram-id", "7102", "--name", "网格员小李", "--role",
                    "grid", cwd=tmp_path, **env)
    assert alone.returncode == 0, alone.stderr   # a grid worker needs no department
