"""What an import says to people: field names, file errors and row errors, translated when shown."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from ... import importing

FIELD_LABELS: dict[str, Any] = {
    "": gettext_lazy("— do not import —"),
    "name": gettext_lazy("Name"),
    "domain": gettext_lazy("Website / domain"),
    "industry": gettext_lazy("Industry"),
    "size_band": gettext_lazy("Size (employees)"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("City"),
    "annual_revenue": gettext_lazy("Annual revenue"),
    "owner": gettext_lazy("Owner (email or name)"),
    "tags": gettext_lazy("Tags"),
    "full_name": gettext_lazy("Full name"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "middle_name": gettext_lazy("Middle name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "position": gettext_lazy("Position"),
    "company": gettext_lazy("Company"),
    "company_domain": gettext_lazy("Company website"),
    "age_band": gettext_lazy("Age"),
    "gender": gettext_lazy("Gender"),
    "lead_source": gettext_lazy("Lead source"),
    "title": gettext_lazy("Deal title"),
    "amount": gettext_lazy("Amount"),
    "cost": gettext_lazy("Cost"),
    "contact_email": gettext_lazy("Contact email"),
    "contact_phone": gettext_lazy("Contact phone"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "expected_close_date": gettext_lazy("Expected close date"),
    "probability": gettext_lazy("Probability, %"),
    "external_id": gettext_lazy("External id"),
}


_FILE_MESSAGES: dict[str, Any] = {
    "empty": gettext_lazy("The file is empty: there is no header row and no data."),
    "binary": gettext_lazy("This is not a text or spreadsheet file. Upload a CSV or an XLSX file."),
    "too_large": gettext_lazy("The file is larger than %(max_mb)s MB. Split it into smaller files."),
    "bad_xlsx": gettext_lazy("The file could not be read as an Excel (XLSX) workbook. Save it again as XLSX or CSV."),
    "unsupported_format": gettext_lazy(
        "Old Excel (XLS) and other spreadsheet formats are not supported: save the file as XLSX or CSV."
    ),
    "undecodable": gettext_lazy("The file's text encoding could not be read. Save it as CSV in UTF-8."),
    "bad_csv": gettext_lazy("Line %(line)s of the CSV file is malformed."),
}

_ROW_MESSAGES: dict[str, Any] = {
    "too_long": gettext_lazy("%(field)s is longer than %(limit)s characters."),
    "bad_number": gettext_lazy("%(field)s is not a number: “%(value)s”."),
    "bad_date": gettext_lazy("%(field)s is not a date (use dd.mm.yyyy or yyyy-mm-dd): “%(value)s”."),
    "bad_percent": gettext_lazy("%(field)s must be a percentage from 0 to 100: “%(value)s”."),
    "bad_choice": gettext_lazy("%(field)s has a value that is not one of the choices: “%(value)s”."),
    "bad_email": gettext_lazy("Not an email address: “%(value)s”."),
    "bad_phone": gettext_lazy("Not a phone number: “%(value)s”."),
    "bad_domain": gettext_lazy("Not a website or domain: “%(value)s”."),
    "negative": gettext_lazy("%(field)s cannot be negative."),
    "undecodable_row": gettext_lazy("The row has characters that are not valid in the file's encoding."),
    "no_name": gettext_lazy("The row has no name, email or phone."),
    "no_company_name": gettext_lazy("The row has no company name."),
    "no_title": gettext_lazy("The row has no deal title."),
    "not_visible": gettext_lazy("A matching record exists but belongs to someone whose records you cannot see."),
    "unknown_pipeline": gettext_lazy("There is no pipeline named “%(value)s”."),
    "unknown_stage": gettext_lazy("The pipeline has no stage named “%(value)s”."),
}


def _format(template: Any, params: dict[str, Any]) -> str:
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def file_error_message(error: importing.ImportFileError) -> str:
    return _format(_FILE_MESSAGES.get(error.code, gettext_lazy("The file could not be read.")), error.params)


def row_error_message(error: importing.RowError) -> str:
    params = dict(error.params)
    if "field" in params:
        params["field"] = str(FIELD_LABELS.get(params["field"], params["field"]))
    return _format(_ROW_MESSAGES.get(error.code, gettext_lazy("The row could not be imported.")), params)
