"""The record of every run of a command that works on an org (sync, backup, restore, migrate):
a row in the state database's `runs` while it works, and one JSON line in the profile's
`log.jsonl` when it ends, with the exit code the process really returned. A run killed by a
signal leaves its row 'running': the next run of any such command finds its process gone and
marks it interrupted (exit_code null), in the table and in the log."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..clock import utc_now


def append_log(path: Path, record: dict) -> None:
    """One JSON line, appended (O_APPEND: whole lines even with two writers); owner-only."""
    record = {"at": utc_now(), **record}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


RUN_COLUMNS = (
    "id",
    "command",
    "started_at",
    "finished_at",
    "status",
    "dry_run",
    "exit_code",
    "summary",
    "api_calls",
    "api_used",
    "api_max",
    "message",
    "pid",
)


class RunLog:
    def __init__(self, conn, log_path: Path) -> None:
        self.conn, self.log_path = conn, log_path

    def start(self, command: str, dry_run: bool = False) -> int:
        self.mark_interrupted()
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, status, dry_run, command, pid) "
                "VALUES (?, 'running', ?, ?, ?)",
                [utc_now(), int(dry_run), command, os.getpid()],
            )
        return cur.lastrowid

    def mark_interrupted(self) -> None:
        """Runs still 'running' whose process is gone were killed: say so, once."""
        rows = self.conn.execute(
            "SELECT id, command, pid, started_at FROM runs WHERE status = 'running'"
        ).fetchall()
        for run_id, command, pid, started in rows:
            if pid == os.getpid() or _alive(pid):
                continue
            with self.conn:
                self.conn.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?",
                    [utc_now(), run_id],
                )
            append_log(
                self.log_path,
                {
                    "at": utc_now(),
                    "command": command,
                    "run": run_id,
                    "status": "interrupted",
                    "exit_code": None,
                    "started_at": started,
                    # log.jsonl only: machine output, English whatever the language
                    "messages": ["the process ended before the run did (killed or crashed)"],
                },
            )

    def finish(self, run_id: int | None, command: str, status: str, exit_code: int, **record):
        """The run's end: its row (when it got one) and its log line."""
        if run_id:
            with self.conn:
                self.conn.execute(
                    "UPDATE runs SET finished_at = COALESCE(finished_at, ?), status = ?, "
                    "exit_code = ? WHERE id = ?",
                    [utc_now(), status, exit_code, run_id],
                )
        append_log(
            self.log_path,
            {
                "at": utc_now(),
                "command": command,
                "run": run_id,
                "status": status,
                "exit_code": exit_code,
                **record,
            },
        )

    def record_outcome(
        self, run_id, status, exit_code, summary, api_calls, api_used, api_max, message
    ):
        """What a sync did (its row; the log line is written when the command ends)."""
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, summary = ?, "
                "api_calls = ?, api_used = ?, api_max = ?, message = ? WHERE id = ?",
                [
                    utc_now(),
                    status,
                    exit_code,
                    json.dumps(summary),
                    api_calls,
                    api_used,
                    api_max,
                    message,
                    run_id,
                ],
            )

    def recent(self, limit: int = 10) -> list[dict]:
        rows = self.conn.execute(
            f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY id DESC LIMIT ?", [limit]
        ).fetchall()
        out = [dict(zip(RUN_COLUMNS, r, strict=True)) for r in rows]
        for row in out:
            row["summary"] = json.loads(row["summary"]) if row["summary"] else None
        return out
