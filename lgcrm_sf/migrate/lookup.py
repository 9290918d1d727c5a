"""Which records of a batch of creates did Salesforce make, when the answer never came back
(a lost connection, a killed process)? Nothing is sent again before this is known (issue 10).

With a source-id field on the object (target.SOURCE_ID_FIELD) the lookup is exact: every
record created carries its source id. Without one, the records are found among those the
integration user created since the batch was journaled (by the org's own clock: the Date of
its last answer before the batch went out), and told apart by the values the batch sent
(values.py): a record whose sent values all read back equal is that row. Two rows sending
identical values are the same to anyone: either id serves."""

from __future__ import annotations

from ..salesforce.client import SalesforceClient
from ..salesforce.describe import soql_quote
from .progress import Progress
from .target import ObjectSpec
from .values import record_fingerprint


def find_created(
    client: SalesforceClient,
    progress: Progress,
    spec: ObjectSpec,
    chunk: dict,
    integration_user_id: str | None,
    ids_per_query: int = 300,
) -> list[tuple[str, str]]:
    """(source id, target id) of the batch's rows Salesforce has, not yet mapped."""
    rows = progress.chunk_rows(chunk["id"])
    done = progress.mapped(r[0] for r in rows)
    rows = [r for r in rows if r[0] not in done]
    if not rows:
        return []
    if spec.source_id_field:
        return _by_source_id(client, spec, [r[0] for r in rows], ids_per_query)
    candidates = _created_since(client, spec, chunk, integration_user_id)
    known = progress.known_targets(c["Id"] for c in candidates)
    candidates = [c for c in candidates if c["Id"] not in known]
    return _pair_by_values(spec, rows, candidates)


def _by_source_id(client, spec: ObjectSpec, source_ids: list[str], size: int):
    field = spec.source_id_field
    found = []
    for start in range(0, len(source_ids), size):
        part = source_ids[start : start + size]
        soql = (
            f"SELECT Id, {field} FROM {spec.name} WHERE {field} IN "
            f"({', '.join(soql_quote(s) for s in part)})"
        )
        records = client.call(lambda sf, q=soql: sf.query_all(q), f"the {spec.name} lookup")
        found += [(r[field], r["Id"]) for r in records["records"]]
    return found


def _created_since(
    client, spec: ObjectSpec, chunk: dict, integration_user_id: str | None
) -> list[dict]:
    """Records made since the batch was journaled: SystemModstamp, which no one can set, by
    the org's clock; the creator only when the audit fields were not sent (they set it)."""
    fields = sorted(set(chunk["fields"]) - {"Id"})
    where = f"SystemModstamp >= {chunk['since']}"
    if integration_user_id and "CreatedById" not in spec.audit_fields:
        where += f" AND CreatedById = {soql_quote(integration_user_id)}"
    soql = f"SELECT Id, {', '.join(fields)} FROM {spec.name} WHERE {where}"
    return client.call(lambda sf: sf.query_all(soql), f"the {spec.name} lookup")["records"]


def _pair_by_values(spec: ObjectSpec, rows, candidates: list[dict]) -> list[tuple[str, str]]:
    by_fields: dict[tuple, dict[str, list[str]]] = {}
    for source_id, key, sent in rows:
        by_key = by_fields.setdefault(tuple(sent or ()), {})
        by_key.setdefault(key, []).append(source_id)
    pairs = []
    for record in candidates:
        for fields, by_key in by_fields.items():
            waiting = by_key.get(record_fingerprint(record, fields, spec.types))
            if waiting:
                pairs.append((waiting.pop(0), record["Id"]))
                break
    return pairs
