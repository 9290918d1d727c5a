"""Seeding the account: "empty" (what a new account has: its admin user and the default deal
stages) and "demo" (the Brazilian company of the Salesforce demo org: its people as users, custom
fields, campaigns, leads - some already in the Salesforce demo org - accounts, opportunities, a
list and a few weeks of marketing events).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..seed import COMPANIES, FIRST, LAST, _ascii
from . import webapp
from .leads import insert_lead
from .schema import TIMESTAMP_FORMAT
from .store import Account

ADMIN = ("Maria", "Admin", "admin@acme-brasil.example")
REPS = [
    ("Carla", "Mendes", "carla.mendes@acme-brasil.example"),
    ("Diego", "Ferreira", "diego.ferreira@acme-brasil.example"),
    ("Elisa", "Rocha", "elisa.rocha@acme-brasil.example"),
    ("Fábio", "Lima", "fabio.lima@acme-brasil.example"),  # marketing only: no Salesforce user
]
DEAL_STAGES = [  # name, default probability, weight, description
    ("Qualificação", 10, 1, "O contato tem necessidade e orçamento?"),
    ("Reunião de apresentação", 25, 2, "Demonstração marcada ou feita"),
    ("Proposta enviada", 50, 3, "Proposta comercial com o cliente"),
    ("Negociação", 75, 4, "Ajustes de preço e prazo"),
    ("Fechado - ganho", 100, 5, "Contrato assinado"),
    ("Fechado - perdido", 0, 6, "Cliente desistiu ou escolheu outro fornecedor"),
]


def seed(account: Account, kind: str, now: datetime) -> None:
    if kind not in ("empty", "demo"):
        raise ValueError(f"unknown seed {kind!r}: use empty or demo")
    stamp = now.strftime(TIMESTAMP_FORMAT)
    with account.atomic():
        admin = webapp.add_user(account, *ADMIN, stamp)
        for name, probability, weight, description in DEAL_STAGES:
            account.insert(
                "deal_stage",
                {
                    "dealStageName": name,
                    "description": description,
                    "defaultProbability": str(probability),
                    "weight": str(weight),
                    "isEditable": "1",
                },
            )
        if kind == "demo":
            _demo(account, admin, now)
    account.set_meta("seed", kind)


def _at(now: datetime, days: float) -> str:
    return (now - timedelta(days=days)).strftime(TIMESTAMP_FORMAT)


def _demo(account: Account, admin: int, now: datetime) -> None:
    rnd = random.Random(20240408)
    stamp = _at(now, 30)
    owners = [admin, *(webapp.add_user(account, *rep, stamp) for rep in REPS)]
    _, interest = account.add_custom_field("lead", "Produto de interesse", "picklist")
    _, newsletter = account.add_custom_field("lead", "Recebe newsletter", "bit")
    campaigns = [
        account.insert(
            "campaign",
            {
                "campaignName": name,
                "campaignType": kind,
                "campaignAlias": alias,
                "campaignOrigin": origin,
                "isActive": "1",
                "ownerID": str(admin),
                "createTimestamp": stamp,
            },
        )
        for name, kind, alias, origin in (
            ("Webinar Inbound 2026", "Webinar", "webinar-2026", "Email"),
            ("Google Ads - Gestão", "Paid Search", "gads-gestao", "Google"),
        )
    ]
    lead_ids = []
    for i in range(20):
        if i < 8:  # the same people as the first leads of the Salesforce demo org
            first, last = FIRST[(i + 7) % 20], LAST[(i * 3) % 10]
            email = f"{_ascii(first)}.{_ascii(last)}{i}@prospect.example.com.br"
        else:
            first, last = FIRST[(i * 7) % 20], LAST[(i + 4) % 10]
            email = f"{_ascii(first)}.{_ascii(last)}@lead{i}.example.com.br"
        created = _at(now, 25 - i)
        values = {
            "firstName": first,
            "lastName": last,
            "emailAddress": email,
            "companyName": COMPANIES[i % 10],
            "title": rnd.choice(["Diretora Comercial", "Gerente de TI", "CEO", "Compras"]),
            "city": rnd.choice(["São Paulo", "Recife", "Porto Alegre", "Belo Horizonte"]),
            "country": "Brazil",
            "leadStatus": rnd.choice(["open", "unqualified", "qualified", "contact"]),
            "leadScore": str(rnd.randrange(0, 120)),
            "ownerID": str(owners[i % len(owners)]),
            "campaignID": str(campaigns[i % 2]) if i % 3 else None,
            interest: rnd.choice(["Plano Básico", "Plano Pro", "Consultoria"]),
            newsletter: rnd.choice(["0", "1"]),
        }
        if i == 19:
            values["active"] = "0"  # deactivated (deleted in Salesforce, say)
        lead_ids.append(insert_lead(account, values, created))
    accounts = [
        account.insert(
            "account",
            {
                "accountName": company,
                "industry": rnd.choice(["Retail", "Technology", "Construction", "Healthcare"]),
                "ownerID": str(owners[n % len(owners)]),
                "billingCity": "São Paulo",
                "billingCountry": "Brazil",
                "createTimestamp": stamp,
                "updateTimestamp": stamp,
            },
        )
        for n, company in enumerate(COMPANIES[:3])
    ]
    stages = [r["id"] for r in account.rows("SELECT id FROM deal_stage ORDER BY id")]
    for n, account_id in enumerate(accounts):
        close = (now + timedelta(days=20 + 10 * n)).strftime("%Y-%m-%d 00:00:00")
        opportunity = account.insert(
            "opportunity",
            {
                "opportunityName": f"{COMPANIES[n]} - Plano Anual",
                "dealStageID": str(stages[n + 1]),
                "accountID": str(account_id),
                "ownerID": str(owners[n]),
                "probability": str(25 * (n + 1)),
                "amount": f"{(n + 1) * 12000:.2f}",
                "closeDate": close,
                "isClosed": "0",
                "isWon": "0",
                "isActive": "1",
                "primaryLeadID": str(lead_ids[n]),
                "createTimestamp": stamp,
                "updateTimestamp": stamp,
            },
        )
        account.insert(
            "opportunity_lead",
            {
                "opportunityID": str(opportunity),
                "leadID": str(lead_ids[n]),
                "createTimestamp": stamp,
            },
        )
    webapp.create_list(account, "Newsletter mensal", lead_ids[:12], stamp, "Assinantes")
    _demo_events(account, lead_ids, now)


def _demo_events(account: Account, lead_ids: list[int], now: datetime) -> None:
    for n, lead_id in enumerate(lead_ids[:10]):
        lead = account.row("lead", lead_id)
        account_now = _at(now, 24 - n)
        webapp.fill_form(
            account,
            lead["emailAddress"],
            {"firstName": lead["firstName"]},
            account_now,
            form_name="Baixe o e-book",
            url="https://www.acme-brasil.example/ebook",
        )
        webapp.page_visit(
            account, lead_id, "https://www.acme-brasil.example/precos", _at(now, 20 - n)
        )
    link = "https://www.acme-brasil.example/webinar"
    webapp.send_campaign(
        account,
        lead_ids[:12],
        _at(now, 7),
        subject="Convite: webinar de gestão",
        opened=lead_ids[:6],
        clicks=[{"lead": lead_ids[0], "url": link}, {"lead": lead_ids[0], "url": link}]
        + [{"lead": i, "url": link} for i in lead_ids[1:4]],
    )
