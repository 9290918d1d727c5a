"""Which journaled creates did Salesforce make, when their answer never came (a lost
connection, a killed run)? Nothing is sent again before this is known. With our external-id
field on the object, exactly: by its value. A contact role: by its opportunity and contact (a
pair Salesforce holds once). Otherwise among the records the integration user created since the
batch was journaled (by the org's clock), told apart by the values the batch sent."""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import N_, deferred
from ..salesforce import soql
from ..salesforce.side import SalesforceSide
from .sales_values import differing


def find_created(
    side: SalesforceSide,
    sobject: str,
    rows: list[dict],
    external_id: str | None,
    key_of: Callable[[str], str],
    taken: set[str],
) -> dict[str, str]:
    """{source id: Salesforce id} of the rows (id map rows: source_id, sent, since) that
    Salesforce has; `taken` are ids already in the map, never paired again."""
    if not rows:
        return {}
    if external_id:
        keys = {key_of(r["source_id"]): r["source_id"] for r in rows}
        found = side.find_by_values(sobject, external_id, sorted(keys))
        return {keys[key]: record["Id"] for key, record in found.items()}
    if sobject == "OpportunityContactRole":
        return _roles(side, rows)
    return _by_values(side, sobject, rows, taken)


def existing_roles(side: SalesforceSide, opportunities: list[str]) -> dict[tuple, str]:
    """{(opportunity id, contact id): contact role id} of these opportunities' roles."""
    existing = {}
    for chunk in soql.chunks(sorted(set(opportunities)), side.sizes.lookup_chunk):
        text = soql.select(
            ("Id", "OpportunityId", "ContactId"),
            "OpportunityContactRole",
            [f"OpportunityId IN {soql.in_list(chunk)}"],
        )
        records = side.client.call(
            lambda sf, q=text: sf.query_all(q), deferred(N_("the contact role lookup"))
        )
        for record in records["records"]:
            existing[(record["OpportunityId"], record["ContactId"])] = record["Id"]
    return existing


def _roles(side: SalesforceSide, rows: list[dict]) -> dict[str, str]:
    existing = existing_roles(side, [r["sent"]["OpportunityId"] for r in rows])
    pairs = {r["source_id"]: (r["sent"]["OpportunityId"], r["sent"]["ContactId"]) for r in rows}
    return {sid: existing[pair] for sid, pair in pairs.items() if pair in existing}


def _by_values(side: SalesforceSide, sobject: str, rows: list[dict], taken: set[str]):
    fields = sorted({"Id"} | {k for r in rows for k in r["sent"]})
    since = min(r["since"] for r in rows)
    where = [f"CreatedDate >= {since}"]
    if side.integration_user_id:
        where.append(f"CreatedById = {soql.quote(side.integration_user_id)}")
    text = soql.select(fields, sobject, where, "CreatedDate, Id")
    records = side.client.call(lambda sf: sf.query_all(text), f"the {sobject} lookup")["records"]
    candidates = [r for r in records if r["Id"] not in taken]
    found = {}
    for row in rows:
        match = next((c for c in candidates if not differing(row["sent"], c)), None)
        if match is not None:  # two rows that sent the same values: either id serves
            found[row["source_id"]] = match["Id"]
            candidates.remove(match)
    return found
