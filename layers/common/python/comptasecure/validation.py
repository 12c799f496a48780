"""Field types shared by every edge model: bounded names, SIREN with its Luhn key, phone numbers."""

import re
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
CompanyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Email = Annotated[EmailStr, StringConstraints(max_length=254), AfterValidator(str.lower)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _siren(value: str) -> str:
    compact = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", compact) or not luhn_valid(compact):
        raise ValueError("Le SIREN doit comporter 9 chiffres et une clé valide.")
    return compact


def _phone(value: str) -> str:
    """E.164 as given, or a French national number (0X XX XX XX XX) turned into +33X…"""
    compact = re.sub(r"[\s.\-()]", "", value)
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return "+33" + compact[1:]
    if re.fullmatch(r"\+[1-9]\d{6,14}", compact):
        return compact
    raise ValueError("Le numéro de téléphone doit être au format international (+33…) ou français (06…).")


Siren = Annotated[str, AfterValidator(_siren)]
Phone = Annotated[str, StringConstraints(max_length=30), AfterValidator(_phone)]
