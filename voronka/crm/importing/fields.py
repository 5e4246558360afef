"""The fields an import fills, per kind, and guessing them from column headers (English and Russian).

Headers of exports from amoCRM, Bitrix24, HubSpot and Pipedrive are listed by name; anything else
falls back to keywords. A user-edited mapping always wins over the guess.
"""

from __future__ import annotations

import re

IGNORE = ""

FIELDS: dict[str, tuple[str, ...]] = {
    "companies": (
        "name", "domain", "industry", "size_band", "country", "region", "city", "annual_revenue", "owner", "tags",
    ),
    "contacts": (
        "full_name", "first_name", "last_name", "middle_name", "email", "phone", "position", "company",
        "company_domain", "city", "age_band", "gender", "lead_source", "owner", "tags",
    ),
    "deals": (
        "title", "amount", "cost", "company", "contact_email", "contact_phone", "pipeline", "stage",
        "expected_close_date", "probability", "lead_source", "owner", "external_id", "tags",
    ),
}
# Fields several columns may feed (a work and a mobile phone, two emails, tag columns).
MULTI_FIELDS = frozenset({"email", "phone", "tags", "contact_email", "contact_phone"})
# At least one field of each group must be mapped before an import may run.
REQUIRED_ANY: dict[str, tuple[tuple[str, ...], ...]] = {
    "companies": (("name",),),
    "contacts": (("full_name", "first_name", "last_name", "email", "phone"),),
    "deals": (("title",),),
}

_EMAIL = ("email", "e-mail", "e mail", "emails", "mail", "почта", "электронная почта", "эл почта", "эл. почта",
          "адрес электронной почты", "email address", "рабочий email", "рабочий e-mail", "личный email",
          "личный e-mail", "другой email", "person - email", "email адрес", "e-mail адрес")
_PHONE = ("телефон", "телефоны", "тел", "тел.", "моб. телефон", "моб телефон", "мобильный телефон", "мобильный",
          "рабочий телефон", "рабочий прямой телефон", "домашний телефон", "другой телефон", "контактный телефон",
          "phone", "phones", "phone number", "mobile", "mobile phone", "mobile phone number", "work phone",
          "person - phone", "telephone", "tel")
_OWNER = ("ответственный", "ответственный менеджер", "менеджер", "owner", "contact owner", "company owner",
          "deal owner", "responsible", "owner email", "person - owner", "organization - owner", "deal - owner",
          "assigned to", "ответственный email")
_TAGS = ("теги", "тег", "метки", "tags", "tag", "labels", "label", "person - labels", "deal - labels")
_SOURCE = ("источник", "источник лида", "источник сделки", "источник контакта", "source", "lead source",
           "original source", "deal - source", "person - source")
_CITY = ("город", "city", "населенный пункт", "person - city", "organization - city")
_COMPANY = ("компания", "организация", "название компании", "контрагент", "company", "company name",
            "organization", "organisation", "organization - name", "person - organization", "deal - organization",
            "associated company", "компания контакта")
_WEBSITE = ("сайт", "веб-сайт", "веб сайт", "website", "web site", "web", "url", "домен", "domain",
            "company domain name", "website url", "organization - website")

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts": {
        "full_name": ("фио", "полное имя", "имя фамилия", "фамилия имя", "фамилия имя отчество", "контакт",
                      "контактное лицо", "имя контакта", "клиент", "name", "full name", "contact name",
                      "contact", "person - name", "person name"),
        "first_name": ("имя", "first name", "firstname", "given name", "person - first name"),
        "last_name": ("фамилия", "last name", "lastname", "surname", "family name", "person - last name"),
        "middle_name": ("отчество", "middle name", "patronymic"),
        "email": _EMAIL,
        "phone": _PHONE,
        "position": ("должность", "позиция", "position", "job title", "title", "role", "person - job title"),
        "company": _COMPANY,
        "company_domain": _WEBSITE,
        "city": _CITY,
        "age_band": ("возраст", "возрастная группа", "age", "age band", "age group"),
        "gender": ("пол", "gender", "sex"),
        "lead_source": _SOURCE,
        "owner": _OWNER,
        "tags": _TAGS,
    },
    "companies": {
        "name": ("название", "наименование", "полное наименование", "полное название", "название компании",
                 "компания", "организация", "контрагент", "company", "company name", "name", "organization",
                 "organisation", "organization - name", "account name"),
        "domain": _WEBSITE,
        "industry": ("отрасль", "сфера", "сфера деятельности", "вид деятельности", "industry",
                     "organization - industry"),
        "size_band": ("размер", "численность", "число сотрудников", "количество сотрудников", "сотрудников",
                      "employees", "number of employees", "size", "company size", "headcount"),
        "country": ("страна", "country", "organization - country"),
        "region": ("регион", "область", "край", "region", "state", "state/region", "province"),
        "city": _CITY,
        "annual_revenue": ("выручка", "годовая выручка", "годовой оборот", "оборот", "annual revenue", "revenue"),
        "owner": _OWNER,
        "tags": _TAGS,
    },
    "deals": {
        "title": ("название сделки", "сделка", "название", "наименование", "наименование сделки", "deal - title",
                  "deal title", "deal name", "title", "name", "subject"),
        "amount": ("сумма", "бюджет", "сумма сделки", "стоимость", "цена", "deal - value", "value", "amount",
                   "deal amount", "deal value", "opportunity"),
        "cost": ("себестоимость", "затраты", "расходы", "cost", "costs"),
        "company": _COMPANY,
        "contact_email": _EMAIL,
        "contact_phone": _PHONE,
        "pipeline": ("воронка", "pipeline", "deal - pipeline", "направление"),
        "stage": ("этап", "этап сделки", "стадия", "стадия сделки", "stage", "deal stage", "deal - stage",
                  "статус сделки"),
        "expected_close_date": ("дата закрытия", "ожидаемая дата закрытия", "планируемая дата закрытия",
                                "предполагаемая дата закрытия", "close date", "expected close date",
                                "deal - expected close date", "closing date"),
        "probability": ("вероятность", "вероятность, %", "probability", "deal - probability", "win probability"),
        "lead_source": _SOURCE,
        "owner": _OWNER,
        "external_id": ("id", "id сделки", "внешний id", "внешний идентификатор", "external id", "deal id",
                        "deal - id", "record id", "идентификатор"),
        "tags": _TAGS,
    },
}

# Columns we recognise and deliberately leave out (tax ids are not CRM fields).
IGNORED_HEADERS = frozenset({"инн", "кпп", "огрн", "огрнип", "окпо", "бик", "inn", "kpp", "ogrn", "vat", "vat number"})

# Fallback: a keyword inside the header, tried in order, per kind.
KEYWORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("почт", "email"), ("email", "email"), ("e-mail", "email"), ("телефон", "phone"),
                 ("phone", "phone"), ("mobile", "phone"), ("фио", "full_name"), ("должност", "position"),
                 ("компани", "company"), ("организац", "company"), ("company", "company"), ("город", "city"),
                 ("сайт", "company_domain"), ("ответствен", "owner"), ("источник", "lead_source")),
    "companies": (("назван", "name"), ("наименован", "name"), ("сайт", "domain"), ("website", "domain"),
                  ("отрасл", "industry"), ("сотрудник", "size_band"), ("выручк", "annual_revenue"),
                  ("город", "city"), ("ответствен", "owner")),
    "deals": (("сумм", "amount"), ("бюджет", "amount"), ("value", "amount"), ("этап", "stage"),
              ("стади", "stage"), ("stage", "stage"), ("воронк", "pipeline"), ("pipeline", "pipeline"),
              ("компани", "company"), ("организац", "company"), ("дата закрыт", "expected_close_date"),
              ("close date", "expected_close_date"), ("почт", "contact_email"), ("email", "contact_email"),
              ("телефон", "contact_phone"), ("phone", "contact_phone"), ("ответствен", "owner"),
              ("источник", "lead_source"), ("вероятн", "probability"), ("сделк", "title")),
}

_PUNCT = re.compile(r"[\s_:*.]+")


def header_key(header: str) -> str:
    """'  Моб. Телефон: ' → 'моб телефон'; 'Ё' folds to 'Е'."""
    text = (header or "").replace("\ufeff", "").strip().casefold().replace("ё", "е")
    return _PUNCT.sub(" ", text).strip()


_LOOKUP: dict[str, dict[str, str]] = {
    kind: {header_key(synonym): name for name, synonyms in fields.items() for synonym in synonyms}
    for kind, fields in SYNONYMS.items()
}


def guess_field(kind: str, header: str) -> str:
    key = header_key(header)
    if not key or key in IGNORED_HEADERS:
        return IGNORE
    exact = _LOOKUP[kind].get(key)
    if exact:
        return exact
    for keyword, name in KEYWORDS[kind]:
        if keyword in key:
            return name
    return IGNORE


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Header → field for every column; a single-value field goes to the first column that claims it."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for header in headers:
        name = guess_field(kind, header)
        if name and name not in MULTI_FIELDS and name in taken:
            name = IGNORE
        if name:
            taken.add(name)
        mapping[header] = name
    return mapping


def unique_headers(headers: list[str]) -> list[str]:
    """Blank headers become 'Column N' and repeated ones get ' (2)', ' (3)' so a mapping can name each."""
    seen: dict[str, int] = {}
    result: list[str] = []
    for index, raw in enumerate(headers, start=1):
        header = (raw or "").strip()[:100] or f"Column {index}"
        count = seen.get(header.casefold(), 0) + 1
        seen[header.casefold()] = count
        result.append(header if count == 1 else f"{header} ({count})")
    return result


def missing_required(kind: str, mapping: dict[str, str]) -> list[tuple[str, ...]]:
    """The required field groups no column maps to."""
    mapped = set(mapping.values())
    return [group for group in REQUIRED_ANY[kind] if not mapped & set(group)]
