"""Lead events ("life of the lead"): how the web app records them, and getEvents /
getEventsByType (LEADGEN_API.md §5; vendor article "Open API Methods: Events", 2024-12-20).

- getEvents {where: {leadID?, createTimestamp?}, limit, offset} -> result key `event`, ordered
  by (createTimestamp, id). `createTimestamp` keeps events created at or after it [inf: the
  article says "after"; inclusive, so a client resuming from the last timestamp it saw misses
  nothing and dedupes by id].
- getEventsByType: a leadID and/or a createTimestamp must be given (206 otherwise); eventSource
  is a comma-separated string (in params, or in where) of the documented types, all of them when
  omitted. "Each event type is returned separately, ordered by timestamp": here one list under
  `event` [inf: the article does not show the result key], the types in the order asked (or the
  documented order), each ordered by (createTimestamp, id); limit/offset page that list.

Event fields: id, leadID, eventName, whatID, whatType, eventData, eventSource, createTimestamp,
all strings but eventData, which is realistic per type: a single-quoted JSON-like string
(formSubmit), an object (emailSent, emailClick, pageVisit) or null (emailOpened, others).
"""

from __future__ import annotations

import json

from .call import Answer, Call
from .errors import CallError
from .params import as_int, limit_offset, timestamp, where
from .store import Account

SOURCES = (
    "callConvert",
    "cartComplete",
    "changeLeadStatus",
    "dealStageChange",
    "emailSent",
    "emailOpened",
    "emailClick",
    "emailBounce",
    "emailSpamComplaint",
    "emailUnsubscribe",
    "emailVisit",
    "formSubmit",
    "importantPageVisit",
    "incomingCall",
    "leadCreation",
    "leadOwnerChange",
    "mailboxRecv",
    "mailboxSend",
    "mailboxEmailOpen",
    "mediaOpen",
    "oppCreate",
    "oppLost",
    "oppWon",
    "outgoingCall",
    "pageVisit",
    "referredOnTheForm",
    "shoppingCartAbandoned",
)
COLUMNS = ("id", "leadID", "eventName", "whatID", "whatType", "eventData", "eventSource")


def record(
    account: Account,
    lead_id: int,
    source: str,
    name: str,
    when: str,
    what_id: int | None = None,
    what_type: str | None = None,
    data=None,
) -> int:
    if source not in SOURCES:
        raise ValueError(f"unknown event source {source!r}; use one of {SOURCES}")
    return account.insert(
        "event",
        {
            "leadID": str(lead_id),
            "eventName": name,
            "whatID": None if what_id is None else str(what_id),
            "whatType": what_type,
            "eventData": json.dumps(data),
            "eventSource": source,
            "createTimestamp": when,
        },
    )


def quoted_data(values: dict) -> str:
    """eventData as some events carry it: a JSON-like string with single quotes (§5)."""

    def q(text) -> str:
        return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"

    return "{" + ", ".join(f"{q(k)}: {q(v)}" for k, v in values.items()) + "}"


def _rows(account: Account, tail: str, args) -> list[dict]:
    cols = "CAST(id AS TEXT), " + ", ".join(f'"{c}"' for c in COLUMNS[1:]) + ', "createTimestamp"'
    with account.lock:
        rows = account.conn.execute(f"SELECT {cols} FROM event {tail}", args).fetchall()
    out = []
    for r in rows:
        event = dict(zip((*COLUMNS, "createTimestamp"), r, strict=True))
        event["eventData"] = json.loads(event["eventData"])
        out.append(event)
    return out


def _filters(condition: dict) -> tuple[list[str], list]:
    terms, args = [], []
    if condition.get("leadID") not in (None, ""):
        terms.append('"leadID" = ?')
        args.append(str(as_int("leadID", condition["leadID"])))
    if condition.get("createTimestamp") not in (None, ""):
        terms.append('"createTimestamp" >= ?')
        args.append(timestamp("createTimestamp", condition["createTimestamp"]))
    return terms, args


def get_events(call: Call) -> Answer:
    condition = where(call.params, {"leadID", "createTimestamp"})
    limit, offset = limit_offset(call.params)
    terms, args = _filters(condition)
    clause = f"WHERE {' AND '.join(terms)}" if terms else ""
    events = _rows(
        call.account,
        f'{clause} ORDER BY "createTimestamp", id LIMIT ? OFFSET ?',
        (*args, limit, offset),
    )
    return Answer({"event": events})


def get_events_by_type(call: Call) -> Answer:
    params = call.params
    condition = where(params, {"leadID", "createTimestamp", "eventSource"})
    terms, args = _filters(condition)
    if not terms:
        raise CallError.missing("leadID")  # "a leadID and/or an event timestamp MUST be provided"
    wanted = params.get("eventSource", condition.get("eventSource"))
    if wanted in (None, ""):
        sources = list(SOURCES)
    else:
        sources = [s.strip() for s in str(wanted).split(",") if s.strip()]
        unknown = [s for s in sources if s not in SOURCES]
        if unknown:
            raise CallError.invalid("eventSource", f"Unknown event source {unknown[0]}")
        sources = list(dict.fromkeys(sources))
    limit, offset = limit_offset(params)
    account, events = call.account, []
    clause = " AND ".join(terms)
    for source in sources:  # one type after the other, so an offset skips whole types cheaply
        if len(events) >= limit:
            break
        with account.lock:
            count = account.conn.execute(
                f'SELECT COUNT(*) FROM event WHERE "eventSource" = ? AND {clause}',
                (source, *args),
            ).fetchone()[0]
        if offset >= count:
            offset -= count
            continue
        events += _rows(
            account,
            f'WHERE "eventSource" = ? AND {clause} ORDER BY "createTimestamp", id LIMIT ? OFFSET ?',
            (source, *args, limit - len(events), offset),
        )
        offset = 0
    return Answer({"event": events})


METHODS = {"getEvents": get_events, "getEventsByType": get_events_by_type}
