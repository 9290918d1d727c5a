"""Mass generation of synthetic records for benchmarks and tests (the control surface's
`generate`, not an API): one transaction, without the per-record checks (store.Org mixes this
class in)."""

from __future__ import annotations

from datetime import datetime

from .record_rules import creation_stamps


class SyntheticRecords:
    def generate(
        self, object_name: str, count: int, user_id: str, start: datetime | None = None
    ) -> int:
        """Insert `count` synthetic records in one transaction, bypassing per-record checks."""
        obj = self.sobject(object_name)
        first = self.ids.reserve(count)
        now = self.now()
        names = [f.name for f in obj.stored_fields]
        base = {
            f.name: (int(f.default) if isinstance(f.default, bool) else f.default)
            for f in obj.fields.values()
            if f.default is not None and f.default != "$user"
        }
        template = synthetic_template(obj.name)

        def rows():
            for i in range(count):
                row = dict.fromkeys(names)
                row.update(base)
                for key, pattern in template.items():
                    row[key] = pattern.format(i=first + i) if isinstance(pattern, str) else pattern
                row.update(creation_stamps(now, user_id))
                row["Id"] = self.ids.id_for(obj.key_prefix, first + i)
                if "OwnerId" in row:
                    row["OwnerId"] = user_id
                self._derive(obj, row, template)
                yield [row[n] for n in names]

        with self.lock, self.atomic():
            self.conn.executemany(
                f'INSERT INTO "{obj.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                f"VALUES ({', '.join('?' for _ in names)})",
                rows(),
            )
        return count


def synthetic_template(object_name: str) -> dict:
    return {
        "Lead": {
            "FirstName": "Ana {i}",
            "LastName": "Souza",
            "Company": "Empresa {i} Ltda",
            "Email": "lead{i}@example.com.br",
            "Title": "Gerente",
            "Phone": "+55 11 5555-{i}",
            "City": "São Paulo",
            "Country": "Brazil",
            "LeadSource": "Web",
            "Description": 'Lead gerado, com vírgula e "aspas"',
            "Industry": "Technology",
        },
        "Contact": {
            "FirstName": "Bruno {i}",
            "LastName": "Lima",
            "Email": "contact{i}@example.com",
            "Title": "Diretor",
            "MailingCity": "Rio de Janeiro",
        },
        "Account": {"Name": "Conta {i} S.A.", "Industry": "Retail", "BillingCity": "Curitiba"},
        "Opportunity": {
            "Name": "Oportunidade {i}",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            "Amount": 1000.0,
        },
        "Task": {"Subject": "Follow up {i}", "Status": "Completed"},
        "Campaign": {"Name": "Campanha {i}"},
    }.get(object_name, {})
