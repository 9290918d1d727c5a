"""Lead reads: getLead, getLeads, getLeadsDateRange (LEADGEN_API.md §4, §5).

- getLead {id} answers an array of one lead, or [] for an unknown (or deleted) id.
- getLeads with an empty `where` returns only active leads; by `id` (one or a list) or by
  `emailAddress` (case-insensitive) it also returns inactive ones. `limit` is capped at 500.
- getLeadsDateRange {startDate, endDate, timestamp: create|update} is inclusive at both ends,
  leaves inactive leads out, and with `update` includes leads never updated since creation (their
  updateTimestamp is their createTimestamp). Its limit defaults to 500 (see date_range_max_limit).
- `fields` limits the fields returned.

Page order (setting `page_order`): "unstable" (default) orders rows by `order_key`, a hash of
(salt, lead id, rev) where rev counts the lead's changes: every call returns the same order while
nothing changes, and a changed lead jumps to a pseudo-random new position, as the vendor's "no
guaranteed order" allows. "stable" orders getLeads by id and date ranges by (timestamp, id);
there an updated lead moves to the end of an update-range, so offset paging across changes still
skips or repeats rows, but predictably.
"""

from __future__ import annotations

from .call import Answer, Call, RawJSON
from .errors import CallError
from .params import as_int, field_names, id_list, limit_offset, timestamp, where
from .schema import LEAD_FIELDS
from .store import LIVE, Account

STANDARD_NAMES = [f.name for f in LEAD_FIELDS]
CHUNK = 60  # fields per json_object() call


def lead_columns(account: Account) -> list[str]:
    return STANDARD_NAMES + list(account.custom["lead"])


def _json_objects(names: list[str]) -> str:
    """SQL building each lead's JSON in SQLite (json_object), in chunks of fields because a SQL
    function takes at most 127 arguments; rows_json() joins the chunks. Building the JSON there
    is about five times faster than Python dicts and json.dumps for a page of 500 leads."""
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    return ", ".join(
        "json_object("
        + ", ".join(f"'{n}', " + ("CAST(id AS TEXT)" if n == "id" else f'"{n}"') for n in chunk)
        + ")"
        for chunk in chunks
    )


def _joined(parts) -> str:
    return parts[0] if len(parts) == 1 else ",".join(p[1:-1] for p in parts).join("{}")


def select_leads(account: Account, names: list[str], tail: str, args=()) -> RawJSON:
    """Run `SELECT <leads as JSON> FROM lead <tail>`: a JSON array of leads as the API shows
    them (every value a string or null)."""
    with account.lock:
        rows = account.conn.execute(f"SELECT {_json_objects(names)} FROM lead {tail}", args)
        return RawJSON("[" + ", ".join(_joined(r) for r in rows) + "]")


def page_of(account: Account, key: tuple, order_sql: str, args: tuple, names, limit, offset):
    """One page of an ordered id list. The list is computed once per (query, lead_version) and
    kept, so page N costs the same as page 1 (SQLite's OFFSET walks every skipped row)."""
    with account.lock:
        cached = account.page_cache.get(key)
        if cached is None or cached[0] != account.lead_version:
            ids = [r[0] for r in account.conn.execute(order_sql, args)]
            if len(account.page_cache) >= 4:
                account.page_cache.pop(next(iter(account.page_cache)))
            account.page_cache[key] = cached = (account.lead_version, ids)
        page = cached[1][offset : offset + limit]
        if not page:
            return RawJSON("[]")
        marks = ", ".join("?" for _ in page)
        rows = account.conn.execute(
            f"SELECT id, {_json_objects(names)} FROM lead WHERE id IN ({marks})", page
        )
        found = {r[0]: _joined(r[1:]) for r in rows}
    return RawJSON("[" + ", ".join(found[i] for i in page if i in found) + "]")


def get_lead(call: Call) -> Answer:
    if call.params.get("id") in (None, ""):
        raise CallError.missing("id")
    lead_id = as_int("id", call.params["id"])
    leads = select_leads(call.account, lead_columns(call.account), "WHERE id = ?", (lead_id,))
    return Answer({"lead": leads})


def get_leads(call: Call) -> Answer:
    account, params = call.account, call.params
    condition = where(params, {"id", "emailAddress"})
    limit, offset = limit_offset(params)
    names = field_names(params, lead_columns(account)) or lead_columns(account)
    terms, args = [], []
    if "id" in condition:
        ids = id_list("id", condition["id"])
        if not ids:
            return Answer({"lead": RawJSON("[]")})
        terms.append(f"id IN ({', '.join('?' for _ in ids)})")
        args += ids
    if "emailAddress" in condition:
        terms.append('"emailAddress" = ? COLLATE NOCASE')
        args.append(str(condition["emailAddress"]))
    if terms:  # a lookup also finds inactive leads
        tail = f"WHERE {' AND '.join(terms)} ORDER BY id LIMIT ? OFFSET ?"
        return Answer({"lead": select_leads(account, names, tail, (*args, limit, offset))})
    order = call.settings["page_order"]
    index, by = ("lead_order", "order_key") if order == "unstable" else ("lead_active", "id")
    sql = f"SELECT id FROM lead INDEXED BY {index} WHERE {LIVE} ORDER BY {by}"
    return Answer({"lead": page_of(account, ("all", order), sql, (), names, limit, offset)})


def get_leads_date_range(call: Call) -> Answer:
    account, params = call.account, call.params
    start = timestamp("startDate", params.get("startDate"))
    end = timestamp("endDate", params.get("endDate"))
    kind = params.get("timestamp")
    if kind in (None, ""):
        raise CallError.missing("timestamp")
    if kind not in ("create", "update"):
        raise CallError.invalid("timestamp", "Expected create or update")
    column = f"{kind}Timestamp"
    limit, offset = limit_offset(params, cap=call.settings["date_range_max_limit"])
    names = field_names(params, lead_columns(account)) or lead_columns(account)
    order = call.settings["page_order"]
    by = "order_key" if order == "unstable" else f'"{column}", id'
    sql = (
        f'SELECT id FROM lead INDEXED BY lead_{kind} WHERE {LIVE} AND "{column}" BETWEEN ? AND ? '
        f"ORDER BY {by}"
    )
    key = ("range", order, kind, start, end)
    return Answer({"lead": page_of(account, key, sql, (start, end), names, limit, offset)})


METHODS = {
    "getLead": get_lead,
    "getLeads": get_leads,
    "getLeadsDateRange": get_leads_date_range,
}
