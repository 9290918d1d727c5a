"""A connected profile on a freshly seeded org, and helpers to act on both sides: the sync
scenario tests share it."""

from __future__ import annotations

import textwrap

from lgcrm_sf.config import Profile
from lgcrm_sf.leadgen.store import LeadGenStore

from .conftest import login


class World:
    """One org, one connected profile, and helpers to act on both sides."""

    def __init__(self, info, cli, home, control, tmp_path):
        self.info, self.cli, self.home, self.control, self.tmp = info, cli, home, control, tmp_path
        self.sf = login(info)

    @property
    def leadgen(self) -> LeadGenStore:
        return LeadGenStore(Profile(self.home).state_path)

    def sync(self, *args, code: int = 0) -> dict:
        result = self.cli("sync", "--json", "--no-backup-check", *args)
        assert result.code == code, result
        return result.json()

    def import_people(self, text: str, kind: str = "lead") -> dict:
        path = self.tmp / f"import-{abs(hash(text))}.csv"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return self.cli("leads", "import", path, "--kind", kind, "--json").json()

    def person(self, email: str) -> dict:
        return self.leadgen.by_email(email)

    def edit_here(self, email: str, **values) -> None:
        store = self.leadgen
        with store.db.conn:
            store.set_fields(store.by_email(email)["id"], values)

    def sf_find(
        self, sobject: str, email: str, fields: str = "Id, FirstName, LastName, Title, Company"
    ) -> list[dict]:
        if sobject == "Contact":
            fields = fields.replace(", Company", "")
        return self.sf.query(f"SELECT {fields} FROM {sobject} WHERE Email = '{email}'")["records"]

    def use_mapping(self, text: str) -> None:
        path = self.tmp / "mapping.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        assert self.cli("mapping", "use", path).code == 0
