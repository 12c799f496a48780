"""The account-type and credit-type catalogues: data (SSM parameters), so support edits them without a deploy."""

from typing import Literal

from aws_lambda_powertools.utilities import parameters
from pydantic import BaseModel, ConfigDict

from comptasecure.errors import CatalogueIncomplete, UnknownAccountType
from comptasecure.settings import settings

CATALOGUE_MAX_AGE_SECONDS = 60

Obtention = Literal["signup", "first_purchase", "support"]


class AccountType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    label: str
    obtained_by: Obtention
    limits: dict[str, int]


class Catalogue(BaseModel):
    types: list[AccountType]

    def get(self, type_id: str) -> AccountType:
        for account_type in self.types:
            if account_type.id == type_id:
                return account_type
        raise UnknownAccountType(existing=", ".join(sorted(account_type.id for account_type in self.types)))

    def obtained_by(self, way: Obtention) -> AccountType:
        for account_type in self.types:
            if account_type.obtained_by == way:
                return account_type
        raise CatalogueIncomplete()


def catalogue() -> Catalogue:
    raw = parameters.get_parameter(settings().account_types_parameter, max_age=CATALOGUE_MAX_AGE_SECONDS)
    return Catalogue.model_validate_json(str(raw))


class CreditType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    label: str


class CreditCatalogue(BaseModel):
    types: list[CreditType]

    def get(self, type_id: str) -> CreditType | None:
        return next((credit_type for credit_type in self.types if credit_type.id == type_id), None)


def credit_catalogue() -> CreditCatalogue:
    raw = parameters.get_parameter(settings().credit_types_parameter, max_age=CATALOGUE_MAX_AGE_SECONDS)
    return CreditCatalogue.model_validate_json(str(raw))
