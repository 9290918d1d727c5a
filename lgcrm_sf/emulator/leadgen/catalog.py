"""Account set-up objects: fields (getFields, createFields, deleteFields), users
(getUserProfiles) and lists (getActiveLists, getListMembers) (LEADGEN_API.md §5).

getFields lists the standard fields of leads, opportunities and accounts, and the custom ones.
For leads it leaves out accountID and active and adds crmID and a few flags, as a long-lived
client observed (rmuit/sharpspring-restapi src/Lead.php). Standard fields have stable ids
derived from their names. A custom field's systemName is generated (label slug + uniqid, see
store.py) and is the flat key of that field on the object.

getListMembers answers `getWherelistMemberGets` plus `hasMore`, at the top level of the response
and inside `result` (§2); only members whose lead is active are listed.
"""

from __future__ import annotations

import zlib

from .call import Answer, Call, run_objects
from .errors import CallError, ObjectError
from .params import as_int, limit_offset, objects, where
from .schema import DATA_TYPES, LEAD_FIELDS_ONLY_IN_GETFIELDS, STANDARD
from .store import LIVE

FIELD_KEYS = (
    "id",
    "relationship",
    "systemName",
    "label",
    "source",
    "dataType",
    "dataLength",
    "isRequired",
    "isCustom",
    "isActive",
)
NOT_IN_GETFIELDS = {"accountID", "active"}


def standard_fields() -> list[dict]:
    rows = []
    for relationship, fields in STANDARD.items():
        listed = [f for f in fields if f.name not in NOT_IN_GETFIELDS]
        if relationship == "lead":
            listed += LEAD_FIELDS_ONLY_IN_GETFIELDS
        for f in listed:
            key = f"{relationship}.{f.name}".encode()
            rows.append(
                {
                    "id": str(100_000_000 + zlib.crc32(key) % 800_000_000),
                    "relationship": relationship,
                    "systemName": f.name,
                    "label": f.label,
                    "source": "system",
                    "dataType": f.data_type,
                    "dataLength": str(f.length or 255),
                    "isRequired": "1" if f.required else "0",
                    "isCustom": "0",
                    "isActive": "1",
                }
            )
    return rows


STANDARD_ROWS = standard_fields()


def get_fields(call: Call) -> Answer:
    condition = where(call.params, {"id", "label", "systemName", "isCustom", "relationship"})
    limit, offset = limit_offset(call.params)
    cols = ", ".join("CAST(id AS TEXT)" if k == "id" else f'"{k}"' for k in FIELD_KEYS)
    with call.account.lock:
        custom = [
            dict(zip(FIELD_KEYS, r, strict=True))
            for r in call.account.conn.execute(f"SELECT {cols} FROM field ORDER BY id")
        ]
    rows = [
        r
        for r in STANDARD_ROWS + custom
        if all(str(r.get(k)) == str(v) for k, v in condition.items())
    ]
    return Answer({"field": rows[offset : offset + limit]})


def create_fields(call: Call) -> Answer:
    def one(obj: dict) -> dict:
        relationship = obj.get("relationship") or "lead"
        if relationship not in STANDARD:
            raise ObjectError.invalid("relationship", "Expected lead, opportunity or account")
        label = obj.get("label")
        if not label:
            raise ObjectError.missing("label")
        data_type = obj.get("dataType") or "text"
        if data_type not in DATA_TYPES:
            raise ObjectError.invalid("dataType", f"Unknown data type {data_type}")
        length = obj.get("dataLength")
        field_id, _ = call.account.add_custom_field(
            relationship, str(label), data_type, int(length) if length else None
        )
        return {"id": field_id}

    results = run_objects(call.account, objects(call.params), one)
    return Answer({"creates": results}, write=True, object_results=results)


def delete_fields(call: Call) -> Answer:
    account = call.account

    def one(obj: dict) -> None:
        if obj.get("id") in (None, ""):
            raise ObjectError.missing("id")
        field_id = str(obj["id"])
        if any(r["id"] == field_id for r in STANDARD_ROWS):
            raise ObjectError(211)
        row = account.row("field", field_id)
        if row is None:
            raise ObjectError(302)
        account.drop_custom_field(row["relationship"], row["systemName"], int(field_id))

    results = run_objects(account, objects(call.params), one)
    return Answer({"deletes": results}, write=True, object_results=results)


USER_KEYS = (
    "id",
    "firstName",
    "lastName",
    "displayName",
    "emailAddress",
    "isActive",
    "isReadOnly",
    "timezone",
)


def get_user_profiles(call: Call) -> Answer:
    condition = where(call.params, {"id", "emailAddress", "isActive"})
    limit, offset = limit_offset(call.params)
    terms, args = [], []
    for key, value in condition.items():
        if key == "id":
            terms.append("id = ?")
            args.append(as_int("id", value))
        elif key == "emailAddress":
            terms.append('"emailAddress" = ? COLLATE NOCASE')
            args.append(str(value))
        else:
            terms.append('"isActive" = ?')
            args.append(str(value))
    clause = f"WHERE {' AND '.join(terms)}" if terms else ""
    cols = ", ".join("CAST(id AS TEXT)" if k == "id" else f'"{k}"' for k in USER_KEYS)
    with call.account.lock:
        rows = call.account.conn.execute(
            f"SELECT {cols} FROM user_profile {clause} ORDER BY id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
    return Answer({"userProfile": [dict(zip(USER_KEYS, r, strict=True)) for r in rows]})


def get_active_lists(call: Call) -> Answer:
    condition = where(call.params, {"id"})
    limit, offset = limit_offset(call.params)
    clause, args = ("WHERE l.id = ?", [as_int("id", condition["id"])]) if condition else ("", [])
    with call.account.lock:
        rows = call.account.conn.execute(
            'SELECT CAST(l.id AS TEXT), l.name, l.description, l."createTimestamp", '
            '(SELECT COUNT(*) FROM list_member m JOIN lead ON lead.id = m."leadID" '
            f' WHERE m."listID" = CAST(l.id AS TEXT) AND lead.{LIVE}) '
            f"FROM active_list l {clause} ORDER BY l.id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
    keys = ("id", "name", "description", "createTimestamp", "memberCount")
    lists = [dict(zip(keys, r, strict=True)) for r in rows]
    for item in lists:
        item["memberCount"] = str(item["memberCount"])
        item["removedCount"] = "0"
    return Answer({"activeList": lists})


MEMBER_KEYS = ("id", "listID", "leadID", "emailAddress", "firstName", "lastName", "companyName")


def get_list_members(call: Call) -> Answer:
    condition = where(call.params, {"id"})
    if condition.get("id") in (None, ""):
        raise CallError.missing("id")
    list_id = str(as_int("id", condition["id"]))
    limit, offset = limit_offset(call.params)
    with call.account.lock:
        rows = call.account.conn.execute(
            'SELECT CAST(m.id AS TEXT), m."listID", m."leadID", lead."emailAddress", '
            'lead."firstName", lead."lastName", lead."companyName" '
            'FROM list_member m JOIN lead ON lead.id = m."leadID" '
            f'WHERE m."listID" = ? AND lead.{LIVE} ORDER BY m.id LIMIT ? OFFSET ?',
            (list_id, limit + 1, offset),
        ).fetchall()
    has_more = len(rows) > limit
    members = [dict(zip(MEMBER_KEYS, r, strict=True)) for r in rows[:limit]]
    # `error` is [] here, as on writes (§2); the result key differs from the docs (§7.7).
    return Answer({"getWherelistMemberGets": members}, write=True, has_more=has_more)


METHODS = {
    "getFields": get_fields,
    "createFields": create_fields,
    "deleteFields": delete_fields,
    "getUserProfiles": get_user_profiles,
    "getActiveLists": get_active_lists,
    "getListMembers": get_list_members,
}
