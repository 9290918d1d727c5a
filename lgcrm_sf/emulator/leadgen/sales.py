"""Sales objects: opportunities (and their lead links), deal stages, accounts, campaigns
(LEADGEN_API.md §5, §6).

Reads take `where` (required, may be empty), `limit` (at most 500) and `offset`, ordered by id.
Writes answer creates/updates/deletes in input order. Choices where the vendor is silent [inf]:
- a required field missing on create (opportunityName, dealStageID, closeDate; accountName) is
  object error 206; an id in ownerID/dealStageID/accountID/campaignID/... that is not this
  account's is 212 ("Object is not owned by the company");
- update or delete of an id that does not exist, and an update that changes nothing, are 302
  ("No table rows affected"), as for leads;
- createOpportunityLeads: unknown opportunity 212, unknown lead 214, a pair already linked 301.
Deleting an opportunity removes its lead links.
"""

from __future__ import annotations

from .call import Answer, Call, run_objects
from .errors import CallError, ObjectError
from .params import as_int, id_list, limit_offset, objects, timestamp, where
from .schema import STANDARD, check, check_custom

KEYS = {"opportunity": "opportunity", "account": "account"}
WHERE = {
    "opportunity": {"id", "ownerID", "dealStageID", "accountID", "campaignID"},
    "account": {"id", "ownerID"},
    "deal_stage": {"id"},
    "campaign": {"id", "ownerID"},
    "opportunity_lead": {"id", "opportunityID", "leadID"},
}
PLAIN_COLUMNS = {
    "deal_stage": ["dealStageName", "description", "defaultProbability", "weight", "isEditable"],
    "campaign": [
        "campaignName",
        "campaignType",
        "campaignAlias",
        "campaignOrigin",
        "qty",
        "price",
        "goal",
        "otherCosts",
        "startDate",
        "endDate",
        "isActive",
        "ownerID",
    ],
    "opportunity_lead": ["opportunityID", "leadID"],
}


def columns(call: Call, table: str) -> list[str]:
    if table in STANDARD:
        return [f.name for f in STANDARD[table]] + list(call.account.custom[table])
    return ["id", *PLAIN_COLUMNS[table]]


def read(call: Call, table: str, condition: dict, limit: int, offset: int) -> list[dict]:
    names = columns(call, table)
    terms, args = [], []
    for key, value in condition.items():
        if key == "id":
            ids = id_list("id", value)
            if not ids:
                return []
            terms.append(f"id IN ({', '.join('?' for _ in ids)})")
            args += ids
        else:
            terms.append(f'"{key}" = ?')
            args.append(str(as_int(key, value)))
    clause = f"WHERE {' AND '.join(terms)}" if terms else ""
    cols = ", ".join("CAST(id AS TEXT)" if n == "id" else f'"{n}"' for n in names)
    with call.account.lock:
        rows = call.account.conn.execute(
            f'SELECT {cols} FROM "{table}" {clause} ORDER BY id LIMIT ? OFFSET ?',
            (*args, limit, offset),
        ).fetchall()
    return [dict(zip(names, r, strict=True)) for r in rows]


def lister(table: str, key: str):
    def handler(call: Call) -> Answer:
        condition = where(call.params, WHERE[table])
        limit, offset = limit_offset(call.params)
        return Answer({key: read(call, table, condition, limit, offset)})

    return handler


def getter(table: str, key: str):
    """getOpportunity / getAccount {id}: an array of one, or [] (like getLead)."""

    def handler(call: Call) -> Answer:
        if call.params.get("id") in (None, ""):
            raise CallError.missing("id")
        record_id = as_int("id", call.params["id"])
        return Answer({key: read(call, table, {"id": record_id}, 1, 0)})

    return handler


def date_ranger(table: str, key: str):
    def handler(call: Call) -> Answer:
        params = call.params
        start = timestamp("startDate", params.get("startDate"))
        end = timestamp("endDate", params.get("endDate"))
        kind = params.get("timestamp") or "update"
        if kind not in ("create", "update"):
            raise CallError.invalid("timestamp", "Expected create or update")
        limit, offset = limit_offset(params)
        names = columns(call, table)
        cols = ", ".join("CAST(id AS TEXT)" if n == "id" else f'"{n}"' for n in names)
        with call.account.lock:
            rows = call.account.conn.execute(
                f'SELECT {cols} FROM "{table}" WHERE "{kind}Timestamp" BETWEEN ? AND ? '
                "ORDER BY id LIMIT ? OFFSET ?",
                (start, end, limit, offset),
            ).fetchall()
        return Answer({key: [dict(zip(names, r, strict=True)) for r in rows]})

    return handler


def values_of(call: Call, table: str, obj: dict) -> dict:
    fields = {f.name: f for f in STANDARD[table]}
    custom = call.account.custom[table]
    values = {}
    for name, value in obj.items():
        field = fields.get(name)
        if field is not None:
            if not field.writable:
                continue
            stored = check(field, value)
            if field.ref and stored is not None and not call.account.exists(field.ref, stored):
                raise ObjectError(212, {"params": [{"param": name, "message": "Unknown id"}]})
            values[name] = stored
        elif name in custom:
            values[name] = check_custom(name, custom[name], value)
        else:
            raise ObjectError.invalid(name, "Unknown field")
    return values


def creator(table: str):
    def handler(call: Call) -> Answer:
        def one(obj: dict) -> dict:
            values = values_of(call, table, obj)
            for field in STANDARD[table]:
                if field.required and values.get(field.name) in (None, ""):
                    raise ObjectError.missing(field.name)
                if field.default is not None:
                    values.setdefault(field.name, field.default)
            values.update(createTimestamp=call.now, updateTimestamp=call.now)
            return {"id": call.account.insert(table, values)}

        results = run_objects(call.account, objects(call.params), one)
        return Answer({"creates": results}, write=True, object_results=results)

    return handler


def _record_id(obj: dict) -> int:
    if obj.get("id") in (None, ""):
        raise ObjectError.missing("id")
    value = str(obj["id"])
    if not value.isdigit() or int(value) >= 2**63:
        raise ObjectError.invalid("id", "Expected data of type integer")
    return int(value)


def updater(table: str):
    def handler(call: Call) -> Answer:
        def one(obj: dict) -> None:
            record_id = _record_id(obj)
            row = call.account.row(table, record_id)
            if row is None:
                raise ObjectError(302)
            values = values_of(call, table, obj)
            for field in STANDARD[table]:
                if field.required and values.get(field.name, "x") == "":
                    raise ObjectError.invalid(field.name, "Required field")
            diff = {k: v for k, v in values.items() if row.get(k) != v}
            if not diff:
                raise ObjectError(302)
            diff["updateTimestamp"] = call.now
            call.account.update(table, record_id, diff)

        results = run_objects(call.account, objects(call.params), one)
        return Answer({"updates": results}, write=True, object_results=results)

    return handler


def deleter(table: str, cascade: str | None = None):
    def handler(call: Call) -> Answer:
        def one(obj: dict) -> None:
            record_id = _record_id(obj)
            conn = call.account.conn
            if conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (record_id,)).rowcount == 0:
                raise ObjectError(302)
            if cascade:
                conn.execute(
                    f'DELETE FROM opportunity_lead WHERE "{cascade}" = ?', (str(record_id),)
                )

        results = run_objects(call.account, objects(call.params), one)
        return Answer({"deletes": results}, write=True, object_results=results)

    return handler


def create_opportunity_leads(call: Call) -> Answer:
    account = call.account

    def one(obj: dict) -> dict:
        for name in ("opportunityID", "leadID"):
            if obj.get(name) in (None, ""):
                raise ObjectError.missing(name)
        try:
            opportunity_id, lead_id = int(obj["opportunityID"]), int(obj["leadID"])
            if max(abs(opportunity_id), abs(lead_id)) >= 2**63:
                raise ValueError
        except (TypeError, ValueError):
            raise ObjectError.invalid("leadID", "Expected data of type integer") from None
        if not account.exists("opportunity", opportunity_id):
            raise ObjectError(
                212, {"params": [{"param": "opportunityID", "message": "Unknown id"}]}
            )
        if not account.exists("lead", lead_id):
            raise ObjectError(214)
        taken = account.conn.execute(
            'SELECT 1 FROM opportunity_lead WHERE "opportunityID" = ? AND "leadID" = ?',
            (str(opportunity_id), str(lead_id)),
        ).fetchone()
        if taken:
            raise ObjectError(301)
        link = {
            "opportunityID": str(opportunity_id),
            "leadID": str(lead_id),
            "createTimestamp": call.now,
        }
        return {"id": account.insert("opportunity_lead", link)}

    results = run_objects(account, objects(call.params), one)
    return Answer({"creates": results}, write=True, object_results=results)


METHODS = {
    "getOpportunity": getter("opportunity", "opportunity"),
    "getOpportunities": lister("opportunity", "opportunity"),
    "getOpportunitiesDateRange": date_ranger("opportunity", "opportunity"),
    "createOpportunities": creator("opportunity"),
    "updateOpportunities": updater("opportunity"),
    "deleteOpportunities": deleter("opportunity", cascade="opportunityID"),
    # The result key differs from the docs (§7.7).
    "getOpportunityLeads": lister("opportunity_lead", "getWhereopportunityLeads"),
    "createOpportunityLeads": create_opportunity_leads,
    "deleteOpportunityLeads": deleter("opportunity_lead"),
    "getDealStages": lister("deal_stage", "dealStage"),
    "getAccount": getter("account", "account"),
    "getAccounts": lister("account", "account"),
    "getAccountsDateRange": date_ranger("account", "account"),
    "createAccounts": creator("account"),
    "updateAccounts": updater("account"),
    "deleteAccounts": deleter("account"),
    "getCampaigns": lister("campaign", "campaign"),
}
