"""What a run reports: counts per object, messages for people, the dry run's plan (the first
lines kept, the whole plan written as JSON lines to its file), and the result of the run."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, deferred

COUNTERS = (
    "created_in_salesforce",
    "created_here",
    "updated_in_salesforce",
    "updated_here",
    "linked",
    "deactivated",
    "relinked",
    "conflicts",
    "errors",
    "skipped",
)
ACCOUNT = "account"
# The owners the other side could not take: English in --json and the log, translated when
# shown (the run's messages are Deferred texts).
OWNER_GAPS = {
    "salesforce": N_(
        "Salesforce owner {owner} is not in the owner mapping: {count} record(s), their owner "
        "here was left as it is. Map it under owners: in the mapping."
    ),
    "leadgen": N_(
        "our owner {owner} is not in the owner mapping: {count} record(s), their Salesforce "
        "owner was left as it is. Map it under owners: in the mapping."
    ),
}
PLAN_SHOWN = 50  # plan lines a dry run shows; the whole plan goes to its plan file


@dataclass
class SyncResult:
    run_id: int
    status: str  # ok | record_errors | quota | dry_run
    summary: dict[str, dict]
    api_calls: int
    seconds: float
    plan: list[dict] = field(default_factory=list)
    plan_total: int = 0
    messages: list[str] = field(default_factory=list)
    api_used: int | None = None
    api_max: int | None = None
    mapping_source: str = ""
    plan_file: str | None = None  # a dry run's whole plan, one JSON line per change

    @property
    def errors(self) -> int:
        return sum(s["errors"] for s in self.summary.values())


class Report:
    def __init__(self, objects: list[str], dry_run: bool, plan_path: Path | None) -> None:
        self.counts = {sobject: Counter() for sobject in objects}
        self.messages: list[str] = []
        self.dry_run = dry_run
        self.plan: list[dict] = []
        self.plan_total = 0
        self._plan_path, self._plan_out = plan_path, None
        self.owner_gaps: Counter = Counter()  # (side, owner) -> records it could not reach
        # The plan's name for our side: "leadgen" (the local store), or "account" in account
        # mode's dry run, where every change to our copy is a write to the account.
        self.ours_side = "leadgen"

    def count(self, sobject: str, key: str, n: int = 1) -> None:
        self.counts[sobject][key] += n

    def say(self, message: str) -> None:
        self.messages.append(message)

    def any_errors(self) -> bool:
        return any(c["errors"] for c in self.counts.values())

    def summary(self) -> dict[str, dict]:
        # "account": what the sync read from and wrote to the real Lead Gen & CRM account
        # (account mode), its own counters.
        return {
            k: dict(sorted({"errors": 0, **v}.items()))
            if k == ACCOUNT
            else {c: v.get(c, 0) for c in COUNTERS}
            for k, v in self.counts.items()
        }

    def plan_line(self, person, sobject, field_name, old, new, side, rule) -> None:
        self.plan_total += 1
        if not self.dry_run:
            return
        if side == "leadgen":
            side = self.ours_side
        if side == ACCOUNT:
            self.count(ACCOUNT, "planned_writes")
        item = {
            "email": person.get("email"),
            "object": sobject,
            "field": field_name,
            "from": old,
            "to": new,
            "side": side,
            "rule": rule,
        }
        if len(self.plan) < PLAN_SHOWN:
            self.plan.append(item)
        # The whole plan, streamed to its file: however many changes, memory stays flat.
        if self._plan_out is None:
            self._plan_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._plan_out = open(self._plan_path, "w", encoding="utf-8")  # noqa: SIM115
        self._plan_out.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")

    def plan_to(self, path: Path) -> None:
        if self._plan_path is None:
            self._plan_path = path

    @property
    def plan_file(self) -> str | None:
        return str(self._plan_path) if self._plan_out is not None else None

    def owner_gap(self, side: str, value, sobject: str) -> None:
        self.count(sobject, "skipped")
        self.owner_gaps[(side, str(value))] += 1

    def close(self, user_emails: dict[str, str]) -> None:
        """Say the owners the other side could not take, once per owner; close the plan."""
        for (side, value), count in sorted(self.owner_gaps.items()):
            owner = value if side == "salesforce" else user_emails.get(value, value)
            text = OWNER_GAPS["salesforce" if side == "salesforce" else "leadgen"]
            self.say(deferred(text, owner=owner, count=count))
        self.owner_gaps.clear()
        if self._plan_out is not None:
            self._plan_out.close()
