"""Lead writes: createLeads, updateLeads, updateLeadsV2, deleteLeads, and the same writes made
"as the web app" for the control surface (typed values stored HTML-encoded).

updateLeads' matching follows what a long-lived client observed (rmuit/sharpspring-restapi
src/Connection.php updateLead(), LEADGEN_API.md §5 and §7):
- an `id` that exists: that lead is updated; but if the object also carries an e-mail owned by
  another lead, only updateTimestamp changes and success is reported;
- an `id` that does not exist, or no id and an unknown (or no) e-mail: success, nothing done;
- no id and a known e-mail (case-insensitive): that lead is updated;
- nothing would change: object error 302 (also `active: 0` on an inactive lead).
updateLeadsV2 answers 404 for the unknown id / unknown e-mail cases and is otherwise the same.
"""

from __future__ import annotations

import re

from .call import Answer, Call, run_objects
from .errors import ObjectError
from .params import objects
from .schema import LEAD_FIELDS, check, check_custom
from .store import Account

LEAD = {f.name: f for f in LEAD_FIELDS}
TEXT_FIELDS = {f.name for f in LEAD_FIELDS if f.kind == "text"}
_LT_NOT_LAST = re.compile(r"<(?!\s*$)")


def php_htmlspecialchars(text: str) -> str:
    """PHP's htmlspecialchars with ENT_QUOTES (double-encoding, `'` as &#039;)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


def ui_encoded(name: str, text: str, custom: bool) -> str:
    """How the web app stores a typed value (rmuit encoding.md, tested against the UI): standard
    fields HTML-encoded with every `<` encoded twice (`<` comes back `&amp;lt;`), custom fields
    with only `<` encoded."""
    if custom:
        return text.replace("<", "&lt;")
    if name in TEXT_FIELDS:
        return php_htmlspecialchars(text.replace("<", "&lt;"))
    return text


def lead_values(account: Account, obj: dict, api_quirk: bool = False) -> dict:
    """Check every field of a written lead object and return the stored strings. `id` and the
    read-only fields (timestamps, weighted score, tracking id) are skipped."""
    custom = account.custom["lead"]
    values = {}
    for name, value in obj.items():
        field = LEAD.get(name)
        if field is not None:
            if not field.writable:
                continue
            stored = check(field, value)
            if field.ref and stored is not None and not account.exists(field.ref, int(stored)):
                raise ObjectError(212, {"params": [{"param": name, "message": "Unknown id"}]})
        elif name in custom:
            stored = check_custom(name, custom[name], value)
        else:
            raise ObjectError.invalid(name, "Unknown field")
        if api_quirk and isinstance(stored, str) and (name in TEXT_FIELDS or name in custom):
            stored = _LT_NOT_LAST.sub("&lt;", stored)
        values[name] = stored
    if values.get("emailAddress") == "":
        raise ObjectError.invalid("emailAddress", "Email address is required")
    return values


def insert_lead(account: Account, values: dict, now: str) -> int:
    lead_id = account.allocate("lead")[0]
    row = {f.name: f.default for f in LEAD_FIELDS if f.default is not None}
    row.update(values)
    row.update(createTimestamp=now, updateTimestamp=now, rev=0)
    row["order_key"] = account.order_key(lead_id, 0)
    account.insert("lead", row, lead_id)
    return lead_id


def apply_changes(account: Account, row: dict, values: dict, now: str) -> bool:
    """Write what differs; False when nothing would change (the caller reports 302). null and
    "" are different values here, as in the vendor's store (rmuit Connection::getLead)."""
    diff = {k: v for k, v in values.items() if row.get(k) != v}
    if not diff:
        return False
    touch(account, row, now, diff)
    return True


def touch(account: Account, row: dict, now: str, changes: dict | None = None) -> None:
    rev = row["rev"] + 1
    changes = dict(changes or {})
    changes.update(updateTimestamp=now, rev=rev, order_key=account.order_key(row["id"], rev))
    account.update("lead", row["id"], changes)


def _lead_id(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if isinstance(value, bool) or not text.isdigit() or int(text) >= 2**63:
        raise ObjectError.invalid("id", "Expected data of type integer")
    return int(text)


# --- API methods ------------------------------------------------------------------------------
def create_leads(call: Call) -> Answer:
    account, quirk = call.account, call.settings["api_encoding_quirk"]

    def one(obj: dict) -> dict:
        values = lead_values(account, obj, quirk)
        email = values.get("emailAddress")
        if not email:
            raise ObjectError.missing("emailAddress")
        if account.lead_by_email(email) is not None:
            raise ObjectError(301)  # inactive leads keep their e-mail too
        return {"id": insert_lead(account, values, call.now)}  # a number, not a string (§2)

    results = run_objects(account, objects(call.params), one)
    return Answer({"creates": results}, write=True, object_results=results)


def _update(call: Call, v2: bool) -> Answer:
    account, quirk = call.account, call.settings["api_encoding_quirk"]

    def one(obj: dict) -> None:
        values = lead_values(account, obj, quirk)
        lead_id = _lead_id(obj.get("id"))
        email = values.get("emailAddress")
        if lead_id is not None:
            row = account.row("lead", lead_id)
            if row is None:
                if v2:
                    raise ObjectError(404)
                return  # silent success (§7.1)
            owner = account.lead_by_email(email) if email else None
            if owner is not None and owner["id"] != row["id"]:
                touch(account, row, call.now)  # only updateTimestamp moves; success (§7.1)
                return
        else:
            row = account.lead_by_email(email) if email else None
            if row is None:
                if v2:
                    raise ObjectError(404)
                return  # silent success (§7.1)
        if not apply_changes(account, row, values, call.now):
            raise ObjectError(302)

    results = run_objects(account, objects(call.params), one)
    return Answer({"updates": results}, write=True, object_results=results)


def update_leads(call: Call) -> Answer:
    return _update(call, v2=False)


def update_leads_v2(call: Call) -> Answer:
    return _update(call, v2=True)


def delete_leads(call: Call) -> Answer:
    """Really deletes: getLead by id then answers []. An unknown id deletes nothing: 302 (No
    table rows affected) [inf]."""
    account = call.account

    def one(obj: dict) -> None:
        lead_id = _lead_id(obj.get("id"))
        if lead_id is None:
            raise ObjectError.missing("id")
        if not account.delete_lead(lead_id):
            raise ObjectError(302)

    results = run_objects(account, objects(call.params), one)
    return Answer({"deletes": results}, write=True, object_results=results)


METHODS = {
    "createLeads": create_leads,
    "updateLeads": update_leads,
    "updateLeadsV2": update_leads_v2,
    "deleteLeads": delete_leads,
}


# --- the web app (control surface) ----------------------------------------------------------
def edit_as_user(account: Account, lead_id: int, values: dict, now: str, typed: bool) -> bool:
    """A marketer edits a lead in the contact manager. `typed`: values are stored the way the
    web app stores typed text (HTML-encoded, see ui_encoded). Returns whether anything changed."""
    with account.atomic():
        row = account.row("lead", lead_id)
        if row is None:
            raise KeyError(f"no lead {lead_id}")
        checked = lead_values(account, values)
        email = checked.get("emailAddress")
        owner = account.lead_by_email(email) if email else None
        if owner is not None and owner["id"] != lead_id:
            raise ValueError(f"another lead already has e-mail {email}")
        if typed:
            custom = account.custom["lead"]
            checked = {
                k: ui_encoded(k, v, k in custom) if isinstance(v, str) else v
                for k, v in checked.items()
            }
        return apply_changes(account, row, checked, now)
