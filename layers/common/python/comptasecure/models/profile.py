"""The user's own profile (API.md "Account and profile")."""

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
)

from comptasecure.models import Request
from comptasecure.models.user_views import Status
from comptasecure.validation import (
    CompanyName,
    Name,
    Phone,
    Siren,
)

JobTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# INSEE's workforce bands, so sizes compare across users when proposing an account type.
CompanySize = Literal["0", "1-9", "10-49", "50-249", "250-4999", "5000+"]


class Profile(BaseModel):
    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = Field(default=None, description="E.164 (+33612345678)")
    company_name: str | None = None
    siren: str | None = None
    job_title: str | None = None
    company_size: CompanySize | None = Field(default=None, description="INSEE's workforce band")
    role: Literal["owner", "admin", "member"]
    account_id: str
    status: Status
    mfa_enabled: bool
    passkey_count: int = Field(description="How many passkeys the user has: GET /me/passkeys lists them")


class ProfileUpdate(Request):
    """Any of the profile fields; the email is not among them (an unknown field is refused)."""

    first_name: Name | None = None
    last_name: Name | None = None
    company_name: CompanyName | None = None
    phone: Phone | None = None
    siren: Siren | None = None
    job_title: JobTitle | None = None
    company_size: CompanySize | None = None

    @field_validator("first_name", "last_name", "company_name", mode="before")
    @classmethod
    def _required_when_given(cls, value: Any) -> Any:
        # Optional in the request, but once given they cannot be emptied with null.
        if value is None:
            raise ValueError("ce champ ne peut pas être vide.")
        return value

    def changes(self) -> dict[str, Any]:
        """Only the fields the request named (a null clears phone, SIREN, job title or size)."""
        return self.model_dump(include=self.model_fields_set)
