"""Is every linked Salesforce record still there? `getDeleted` and the change query see a
deletion only while the record sits in the recycle bin (15 days, up to 30); a record purged
before the sync looked (a hard delete, Data Loader's "hard delete", the bin's own purge) shows
up only as a write that answers NOT_FOUND, or by looking its id up. This module looks ids up:
in chunks by Id, or, for very many links, by reading every Id of the object once (fewer calls).
"""

from __future__ import annotations

from collections.abc import Iterator

from .salesforce_side import SalesforceSide, soql_quote

IDS_PER_QUERY = 400  # ~21 characters an id: the query URL stays well under Salesforce's limit
DAILY = 24 * 3600
# Codes a write answers for a record that is no longer there (deleted, merged away, purged).
GONE_CODES = {"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_ID_FIELD"}

STATE_FIELDS = {
    "Lead": ("Id", "IsDeleted", "MasterRecordId", "IsConverted", "ConvertedContactId"),
    "Contact": ("Id", "IsDeleted", "MasterRecordId"),
    "Account": ("Id", "IsDeleted", "MasterRecordId"),
    "Opportunity": ("Id", "IsDeleted"),
    "OpportunityContactRole": ("Id", "IsDeleted"),
}


def record_states(
    sf: SalesforceSide, sobject: str, ids: list[str], scan_above: int
) -> Iterator[tuple[str, dict | None]]:
    """(id, its row with the STATE_FIELDS, or None when Salesforce no longer has it at all),
    for every id given. Rows in the recycle bin come back too (queryAll), marked IsDeleted."""
    fields = ", ".join(STATE_FIELDS[sobject])
    if len(ids) > scan_above:
        # Every record of the object once (Bulk API past 10,000 rows): a few calls, not one
        # per chunk of ids.
        wanted = set(ids)
        seen = set()
        types = {"IsDeleted": "boolean", "IsConverted": "boolean"}
        for row in sf.query_rows(f"SELECT {fields} FROM {sobject}", types):
            if row["Id"] in wanted:
                seen.add(row["Id"])
                yield row["Id"], _normal(row)
        for missing in wanted - seen:
            yield missing, None
        return
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        soql = f"SELECT {fields} FROM {sobject} WHERE Id IN ({', '.join(soql_quote(i) for i in chunk)})"
        rows = sf.call(
            lambda s, q=soql: s.query_all(q, include_deleted=True),
            f"checking linked {sobject} records",
        )["records"]
        found = {r["Id"]: _normal(r) for r in rows}
        for sf_id in chunk:
            yield sf_id, found.get(sf_id)


def _normal(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "attributes"}
    for key in ("IsDeleted", "IsConverted"):
        if key in out:
            out[key] = out[key] is True or str(out[key]).lower() == "true"
    for key in ("MasterRecordId", "ConvertedContactId"):
        if key in out and not out[key]:
            out[key] = None
    return out
