"""The mapping as the sync reads it. Every part remembers where in the file it came from, so a
problem can be reported at its line and column."""

from __future__ import annotations

from dataclasses import dataclass, field

DIRECTIONS = ("push", "pull", "bidirectional")
CONFLICT_RULES = ("latest_change", "prefer_salesforce", "prefer_leadgen")
OBJECTS = {"lead": "Lead", "contact": "Contact"}
ENGAGEMENTS = ("form_submissions", "email_sends", "email_opens", "email_clicks", "page_visits")
# Each engagement switch and the kind of marketing event it sends.
ENGAGEMENT_EVENTS = {
    "form_submissions": "form_submission",
    "email_sends": "email_sent",
    "email_opens": "email_open",
    "email_clicks": "email_click",
    "page_visits": "page_visit",
}
TOO_LONG = ("reject", "truncate")


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass
class Transform:
    values: dict[str, str] | None = None  # our value -> Salesforce value
    too_long: str = "reject"
    pos: Pos | None = None
    values_pos: dict[str, Pos] = field(default_factory=dict)

    def to_salesforce(self, value):
        if self.values is not None and value is not None:
            return self.values.get(str(value), value)
        return value

    def to_leadgen(self, value):
        if self.values is not None and value is not None:
            back = {v: k for k, v in self.values.items()}
            return back.get(str(value), value)
        return value


@dataclass
class FieldMap:
    leadgen: str
    salesforce: str
    direction: str
    transform: Transform | None = None
    conflict_rule: str | None = None
    pos: Pos | None = None
    leadgen_pos: Pos | None = None
    salesforce_pos: Pos | None = None
    direction_pos: Pos | None = None


@dataclass
class ObjectMap:
    name: str
    sobject: str
    fields: list[FieldMap] = field(default_factory=list)
    pos: Pos | None = None
    sobject_pos: Pos | None = None


@dataclass
class OwnerMap:
    user: str
    salesforce: str
    pos: Pos | None = None
    salesforce_pos: Pos | None = None


@dataclass
class LeadLink:
    salesforce_field: str
    url_template: str
    pos: Pos | None = None


@dataclass
class Mapping:
    source: str
    version: int = 1
    conflict_rule: str = "latest_change"
    match_by: str = "email"
    objects: dict[str, ObjectMap] = field(default_factory=dict)
    lead_score: dict[str, str] = field(default_factory=dict)  # object -> Salesforce field
    lead_score_pos: dict[str, Pos] = field(default_factory=dict)
    owners: list[OwnerMap] = field(default_factory=list)
    # Salesforce StageName -> the account's deal stage (the account-mode sync writes through
    # it; migrate sales reads it the other way). A StageName left out goes by its own name.
    stages_pos: dict[str, Pos] = field(default_factory=dict)
    engagements: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ENGAGEMENTS, False))
    lead_link: LeadLink | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)
    # Lead assignment rules on the leads the sync creates: off, so the owner mapping decides.
    assignment_rules: bool = False
    # Salesforce StageName -> the account's deal stage name (account mode, issue 14).
    stages: dict[str, str] = field(default_factory=dict)
    is_default: bool = False
    text_hash: str = ""  # of the file's text: an edit in place is a change of switches
    modified_at: str | None = None  # the file's modification time (UTC ISO), when it is a file

    def event_switches(self) -> dict[str, bool]:
        """Event kind -> sent or not."""
        return {ENGAGEMENT_EVENTS[name]: on for name, on in self.engagements.items()}

    def stage_names_for(self, deal_stage: str, picklist: list[str]) -> list[str]:
        """The Salesforce stages a deal stage is (migrate sales): those mapped to it, else
        itself when it is an active StageName the section leaves to its own name."""
        named = [sf for sf, deal in self.stages.items() if deal == deal_stage]
        if named:
            return named
        return [deal_stage] if deal_stage in picklist and deal_stage not in self.stages else []

    def rule_for(self, fmap: FieldMap) -> str:
        return fmap.conflict_rule or self.conflict_rule
