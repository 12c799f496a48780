"""The billing address printed on invoices."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import CompanyName, CountryCode, EuVatNumber, Name, ShortText

AddressLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,11}$")]


class BillingAddress(Request):
    company_name: CompanyName
    line1: AddressLine
    line2: ShortText | None = None
    postal_code: PostalCode
    city: Name
    country: CountryCode
    vat_number: EuVatNumber | None = None


class BillingAddressView(BaseModel):
    """Every field null until the address is first filled."""

    company_name: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    vat_number: str | None = None
