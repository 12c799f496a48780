"""Firm information and the CRM of an analysis (API.md "Firm information and CRM")."""

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import Email, Phone, ShortText

Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{5})?$")]


class FirmFields(Request):
    """The fields shared by the firm information and every CRM (domain.cabinet.FIELDS)."""

    identification: ShortText | None = None
    address_line1: ShortText | None = None
    address_line2: ShortText | None = None
    postal_code: PostalCode | None = None
    city: Label | None = None
    ordre_registration_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    signatory_name: Label | None = None
    signatory_title: Label | None = None
    phone: Phone | None = None
    email: Email | None = None
    logo_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None

    def changes(self) -> dict[str, Any]:
        """Only the fields the request named; null or "" empties one."""
        return self.model_dump(include=self.model_fields_set)


class FirmFieldsUpdate(Request):
    fields: FirmFields


class CabinetView(BaseModel):
    fields: dict[str, str | None]


class CrmView(BaseModel):
    analysis_id: str
    fields: dict[str, str | None]
