"""Account mode: Salesforce's accounts, opportunities and contact roles, copied by pull_sales,
written into the real account, one way (issue 14 §3; the help article: the opportunity's name
shows on the contact). Deal stages go through the mapping's `stages:` (Salesforce StageName ->
the account's deal stage name, checked against getDealStages); owners through the owner map.

Accounts and opportunities have no natural key, so their creates are journaled (store/
account_outbox.py) before they are sent: a create found pending by a later run is looked up
(an account by name; an opportunity by name, close date and primary lead, within its deal
stage) and adopted if the lost call made it, else sent again. Contact roles settle by the
account's own answer: 301 for a pair already linked."""

from __future__ import annotations

from ..i18n import _
from ..leadgen.api import values
from ..leadgen.api.errors import AccountOutcomeUnknown
from ..store.account_outbox import AccountOutbox
from .account_deletions import delete_gone_sales
from .context import Sync
from .report import ACCOUNT

CREATE = {"Account": "createAccounts", "Opportunity": "createOpportunities"}
UPDATE = {"Account": "updateAccounts", "Opportunity": "updateOpportunities"}
OUTBOX = {"Account": "create_account", "Opportunity": "create_opportunity"}


def push_sales(sync: Sync) -> None:
    outbox = AccountOutbox(sync.state.conn)
    settle_accounts(sync, outbox)
    settle_opportunities(sync, outbox)
    delete_gone_sales(sync)  # what Salesforce deleted, before anything is sent again
    stages: dict[str, int] | None = None
    for sobject in ("Account", "Opportunity"):
        rows = sync.leadgen.sales_to_push(sobject)
        if not rows:
            continue
        if sobject == "Opportunity":
            stages = stages or deal_stages(sync)
        objects = [(row, _object(sync, sobject, row, stages)) for row in rows]
        _write(sync, outbox, sobject, [(r, o) for r, o in objects if o is not None])
    push_roles(sync)


def deal_stages(sync: Sync) -> dict[str, int]:
    return {values.text(s["dealStageName"]): int(s["id"]) for s in sync.account.get_deal_stages()}


def _owner(sync: Sync, local_user: int | None) -> str | None:
    acct = sync.leadgen.account_user_ids().get(local_user) if local_user else None
    return str(acct) if acct else None


def _object(sync: Sync, sobject: str, row: dict, stages) -> dict | None:
    if sobject == "Account":
        obj = {"accountName": row["name"], "industry": row["industry"] or "",
               "website": row["website"] or ""}  # fmt: skip
    else:
        stage = sync.mapping.stages.get(row["stage"] or "", row["stage"] or "")
        if stage not in stages:
            sync.report.count(ACCOUNT, "errors")
            sync.report.say(
                _(
                    "Opportunity {name!r}: stage {stage!r} is not a deal stage of the account; "
                    "add it to the mapping's stages: section."
                ).format(name=row["name"], stage=row["stage"])
            )
            return None
        obj = {
            "opportunityName": row["name"],
            "dealStageID": str(stages[stage]),
            "closeDate": (row["close_date"] or "")[:10],
            "primaryLeadID": _primary_lead(sync, row["id"]),
        }
        if row["amount"] is not None:
            obj["amount"] = str(row["amount"])
        account = sync.leadgen.remote_id_of("Account", row["account_id"])
        if account:
            obj["accountID"] = str(account)
    owner = _owner(sync, row["owner_user_id"])
    if owner:
        obj["ownerID"] = owner
    return {k: v for k, v in obj.items() if v is not None}


def _primary_lead(sync: Sync, opportunity_id: int) -> str | None:
    for role in sync.leadgen.first_role_people(opportunity_id):
        person = role["person_id"] or sync.state.links.person_of(role["sf_contact_id"] or "")
        lead = sync.leadgen.account_lead_id_of(person)
        if lead:
            return str(lead)
    return None


def _write(sync: Sync, outbox: AccountOutbox, sobject: str, items: list) -> None:
    updates = [(r, o) for r, o in items if r["account_remote_id"] and not r["deleted"]]
    creates = [(r, o) for r, o in items if not r["account_remote_id"] and not r["deleted"]]
    if creates:
        outbox.pending(sync.run_id, OUTBOX[sobject], [(r["id"], o) for r, o in creates])
        _send(sync, sobject, CREATE[sobject], creates, outbox)
    if updates:
        updates = [(r, {"id": str(r["account_remote_id"]), **o}) for r, o in updates]
        _send(sync, sobject, UPDATE[sobject], updates, None)


def _send(sync: Sync, sobject: str, method: str, items: list, outbox) -> None:
    try:
        results = sync.account.write(method, [o for _row, o in items])
    except AccountOutcomeUnknown:
        sync.report.say(
            _("A {method} answer was lost; the next run settles it.").format(method=method)
        )
        return
    with sync.state.conn:
        for (row, _obj), result in zip(items, results, strict=True):
            if result.success or result.code == 302:
                remote = None if method.startswith("delete") else (
                    result.id or row["account_remote_id"]
                )  # fmt: skip
                sync.leadgen.set_sales_remote(sobject, row["id"], remote)
                sync.report.count(ACCOUNT, f"{method}_done")
            else:
                sync.report.count(ACCOUNT, "errors")
                sync.report.say(
                    _("{object} {name!r}: {method} refused: {error}").format(
                        object=sobject, name=row["name"], method=method, error=result.error_text
                    )
                )
        if outbox is not None:
            outbox.settled(OUTBOX[sobject], [row["id"] for row, _obj in items])


def settle_accounts(sync: Sync, outbox: AccountOutbox) -> None:
    leftovers = outbox.leftovers(OUTBOX["Account"])
    if not leftovers:
        return
    used = sync.leadgen.remote_sales_ids("Account")
    remote = sync.account.get_accounts()
    with sync.state.conn:
        for item in leftovers:
            name = item["lookup"].get("accountName")
            found = [
                int(a["id"])
                for a in remote
                if values.text(a.get("accountName")) == name and int(a["id"]) not in used
            ]
            if found:
                sync.leadgen.set_sales_remote("Account", item["local_id"], found[0])
                used.add(found[0])
                sync.report.count(ACCOUNT, "settled_lost_create")
            outbox.settled(OUTBOX["Account"], [item["local_id"]])


def settle_opportunities(sync: Sync, outbox: AccountOutbox) -> None:
    leftovers = outbox.leftovers(OUTBOX["Opportunity"])
    if not leftovers:
        return
    used = sync.leadgen.remote_sales_ids("Opportunity")
    with sync.state.conn:
        for item in leftovers:
            found = _made_by_lost_create(sync, item["lookup"], used)
            if found:
                sync.leadgen.set_sales_remote("Opportunity", item["local_id"], found)
                used.add(found)
                sync.report.count(ACCOUNT, "settled_lost_create")
            outbox.settled(OUTBOX["Opportunity"], [item["local_id"]])


def _made_by_lost_create(sync: Sync, sent: dict, used: set[int]) -> int | None:
    """An opportunity with the name, close date and primary lead a lost create sent."""
    where = {"dealStageID": sent["dealStageID"]} if sent.get("dealStageID") else {}
    for opp in sync.account.get_opportunities(where):
        if (
            values.text(opp.get("opportunityName")) == sent.get("opportunityName")
            and values.api_date(opp.get("closeDate")) == sent.get("closeDate")
            and str(values.ident(opp.get("primaryLeadID")) or "")
            == str(sent.get("primaryLeadID") or "")
            and int(opp["id"]) not in used
        ):
            return int(opp["id"])
    return None


def push_roles(sync: Sync) -> None:
    """Contact roles as the account's opportunity-lead links."""
    items = []
    for role in sync.leadgen.roles_to_push():
        person = role["person_id"] or sync.state.links.person_of(role["sf_contact_id"] or "")
        lead = sync.leadgen.account_lead_id_of(person)
        if lead:
            items.append((role, {"opportunityID": str(role["opportunity"]), "leadID": str(lead)}))
    if not items:
        return
    try:
        results = sync.account.write("createOpportunityLeads", [o for _row, o in items])
    except AccountOutcomeUnknown:
        return  # sent again next run: a pair already linked answers 301
    with sync.state.conn:
        for (role, _obj), result in zip(items, results, strict=True):
            if result.success or result.code == 301:
                sync.leadgen.set_role_remote(role["id"], result.id or 0)
                sync.report.count(ACCOUNT, "contact_roles_linked")
            else:
                sync.report.count(ACCOUNT, "errors")
