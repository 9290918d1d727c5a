"""What `migrate sales` planned (the plan per object: creates, updates, what is left and why)
and, after a real run, what it did per object (from the results file's tally)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .sales_plan import ObjectPlan

OBJECT_CHOICES = {
    "accounts": "Account",
    "opportunities": "Opportunity",
    "links": "OpportunityContactRole",
}
LEFT = ("unchanged", "conflict", "gone", "unresolved")  # planned, never written


@dataclass
class SalesReport:
    dry_run: bool
    org_id: str
    org_name: str
    source: str
    plans: dict[str, ObjectPlan] = field(default_factory=dict)
    conversions: int = 0  # leads the plan converts (--convert-leads)
    stages: list[dict] = field(default_factory=list)  # per Salesforce stage (sales_stages.py)
    done: dict[str, Counter] = field(default_factory=dict)  # object -> action -> records
    settled: int = 0  # creates a killed run left, settled before planning
    results_file: str | None = None
    api_calls: int = 0
    seconds: float = 0.0

    @property
    def writes(self) -> int:
        planned = sum(len(p.of("create", "update")) for p in self.plans.values())
        return planned + self.conversions

    @property
    def failed(self) -> int:
        return sum(c["failed"] for c in self.done.values())

    def plan_rows(self) -> list[dict]:
        rows = []
        for name, plan in self.plans.items():
            counts = plan.counts()
            rows.append({"object": name} | {k: counts[k] for k in ("create", "update", *LEFT)})
        return rows

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "org_id": self.org_id,
            "org_name": self.org_name,
            "source": self.source,
            "plan": {
                name: {
                    "counts": dict(plan.counts()),
                    "unresolved": [
                        {"source_id": i.source_id, "action": i.action, "reason": i.reason}
                        for i in plan.of("unresolved", "conflict", "gone")
                    ],
                    "notes": dict(plan.notes),
                }
                for name, plan in self.plans.items()
            },
            "stages": self.stages,
            "conversions": self.conversions,
            "done": {name: dict(counts) for name, counts in self.done.items()},
            "failed": self.failed,
            "settled": self.settled,
            "results_file": self.results_file,
            "api_calls": self.api_calls,
            "seconds": round(self.seconds, 3),
        }
