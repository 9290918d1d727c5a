"""Which Lead Gen & CRM field each column of an import file feeds: header spellings recognised
without help (English, the vendor's own, Portuguese), or a column map the user writes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import DataError
from ..i18n import N_, _
from .fields import CUSTOM_NAME, PERSON_FIELDS

# Header spellings recognised without a column map, compared with case, spaces and
# punctuation removed. English, the vendor's own (emailAddress, firstName) and Portuguese.
ALIASES = {
    "email": ["email", "emailaddress", "mail", "correioeletronico", "enderecodeemail"],
    "first_name": ["firstname", "first", "givenname", "forename", "nome", "primeironome"],
    "last_name": ["lastname", "last", "surname", "familyname", "sobrenome", "ultimonome"],
    "full_name": ["name", "fullname", "nomecompleto", "contactname"],
    "company": ["company", "companyname", "organization", "organisation", "accountname", "empresa"],
    "title": ["title", "jobtitle", "position", "cargo", "funcao"],
    "phone": ["phone", "phonenumber", "telephone", "workphone", "officephonenumber", "telefone"],
    "mobile_phone": ["mobile", "mobilephone", "mobilephonenumber", "cellphone", "cell", "celular"],
    "street": ["street", "address", "streetaddress", "address1", "endereco", "rua"],
    "city": ["city", "town", "cidade", "municipio"],
    "state": ["state", "province", "region", "estado", "uf"],
    "postal_code": ["zip", "zipcode", "postalcode", "postcode", "cep"],
    "country": ["country", "pais"],
    "website": ["website", "web", "url", "site"],
    "industry": ["industry", "setor", "segmento", "ramo"],
    "description": ["description", "notes", "note", "descricao", "observacoes", "obs"],
    "lead_status": ["leadstatus", "status"],
    "lead_score": ["leadscore", "score", "pontuacao"],
    "unsubscribed": ["unsubscribed", "optout", "emailoptout", "isunsubscribed", "descadastrado"],
    "owner": ["owner", "owneremail", "owneruser", "responsavel"],
}
_BY_SPELLING = {spelling: name for name, spellings in ALIASES.items() for spelling in spellings}
_ACCENTS = str.maketrans("ãáâéêíóôõúç", "aaaeeiooouc")

MESSAGES = {
    "bad_columns_file": N_(
        "--columns {file}: not a YAML mapping of 'CSV header: field' ({detail})."
    ),
    "bad_columns_file_fix": N_("write one 'CSV header: field' line each, in UTF-8."),
    "bad_column_target": N_(
        "--columns {file}: {header!r} maps to {target!r}, which is not a Lead Gen & CRM field."
    ),
    "bad_column_target_fix": N_("use one of {fields}, custom.<name>, or ignore."),
}


def spelling(header: str) -> str:
    """A header as compared: lower case, Portuguese accents dropped, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", header.strip().lower().translate(_ACCENTS))


def load_column_map(path: Path | None) -> dict[str, str]:
    """The user's `--columns` file: CSV header -> field (or `ignore`), keyed by spelling."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DataError(
            _(MESSAGES["bad_columns_file"]).format(file=path, detail=type(exc).__name__),
            _(MESSAGES["bad_columns_file_fix"]),
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise DataError(
            _(MESSAGES["bad_columns_file"]).format(file=path, detail=_("not a mapping of strings")),
            _(MESSAGES["bad_columns_file_fix"]),
        )
    valid = set(PERSON_FIELDS) | {"owner", "full_name", "ignore"}
    for header, target in data.items():
        if target not in valid and not CUSTOM_NAME.match(target):
            raise DataError(
                _(MESSAGES["bad_column_target"]).format(file=path, header=header, target=target),
                _(MESSAGES["bad_column_target_fix"]).format(fields=", ".join(sorted(valid))),
            )
    return {spelling(k): v for k, v in data.items()}


def header_columns(
    header: list[str], column_map: dict[str, str], warnings: list[str]
) -> dict[int, str]:
    """Column index -> field, for the columns that feed one; each column left out is warned
    about (not a field, or a second column for the same field)."""
    columns = {}
    taken = {}
    for index, name in enumerate(header):
        key = spelling(name)
        target = column_map.get(key) or _BY_SPELLING.get(key)
        if target is None:
            warnings.append(
                _(
                    "column {number} {name} is not a Lead Gen & CRM field: ignored "
                    "(map it with --columns, e.g. to custom.<name>)"
                ).format(number=index + 1, name=repr(name))
            )
            continue
        if target == "ignore":
            continue
        if target in taken:
            warnings.append(
                _("column {number} {name} is also {target} (column {other}): ignored").format(
                    number=index + 1, name=repr(name), target=target, other=taken[target] + 1
                )
            )
            continue
        taken[target] = index
        columns[index] = target
    return columns
