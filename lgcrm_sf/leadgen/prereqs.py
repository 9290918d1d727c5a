"""check-prereqs for the Lead Gen & CRM account (issue 14 §2): the secret key is there, the API
answers with it, and every owner the mapping names is an active user of the account."""

from __future__ import annotations

from .. import credentials
from ..config import Profile, ProfileSettings
from ..errors import LgcrmError
from ..i18n import _
from ..salesforce.prereqs import FAIL, PASS, UNKNOWN, Check
from .api.names import decode_user
from .connection import open_account_client


def account_checks(profile: Profile, settings: ProfileSettings, owners: list[str]) -> list[Check]:
    """`owners`: the e-mails of the users the mapping's owners: section names."""
    key = credentials.load_leadgen_key(profile.name, settings.leadgen_account_id)
    if not key:
        fix = _("run `lgcrm-sf leadgen connect` again or set {env}.").format(
            env=credentials.LEADGEN_ENV
        )
        return [
            Check("leadgen_key", FAIL, _("no secret key in the keyring or the environment"), fix),
            Check("leadgen_reachable", UNKNOWN, _("not tried without a key"), fix),
            Check("leadgen_owner_users", UNKNOWN, _("not read without a key"), fix),
        ]
    checks = [Check("leadgen_key", PASS, _("found"))]
    try:
        users = [decode_user(u) for u in open_account_client(profile, settings).get_user_profiles()]
    except LgcrmError as exc:
        fix = exc.fix or _("check the account id, the secret key and --url.")
        checks.append(Check("leadgen_reachable", FAIL, exc.message, fix))
        checks.append(Check("leadgen_owner_users", UNKNOWN, _("not read"), fix))
        return checks
    checks.append(
        Check(
            "leadgen_reachable",
            PASS,
            _("account {account}: {count} users").format(
                account=settings.leadgen_account_id, count=len(users)
            ),
        )
    )
    checks.append(_owner_users(owners, users))
    return checks


def _owner_users(owners: list[str], users: list[dict]) -> Check:
    active = {u["email"] for u in users if u["active"]}
    missing = [user for user in owners if user.strip().lower() not in active]
    if not owners:
        return Check("leadgen_owner_users", PASS, _("the mapping maps no owners"))
    if missing:
        return Check(
            "leadgen_owner_users",
            FAIL,
            _("not active users of the account: {emails}").format(emails=", ".join(missing)),
            _("add or activate these users in the account (Settings > Users), or change the "
              "owners: section of the mapping."),
        )  # fmt: skip
    return Check("leadgen_owner_users", PASS, _("{count} owners mapped").format(count=len(owners)))
