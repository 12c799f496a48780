"""Field types shared by every edge model: single-line text, bounded names, SIREN, phone numbers."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from comptasecure.domain.passwords import MAX_LENGTH, MIN_LENGTH

# Every text field of the API is one line typed in a form: a control character in it is never meant,
# and some are harmful where the text goes next. CR and LF split email headers (an account name is
# in the invitation's subject), NUL truncates C strings, ESC drives terminals that show logs, and
# TAB (like CR) is a prefix spreadsheets execute in CSV exports; a browser's input cannot even hold
# one (TAB moves the focus), so refusing TAB costs nobody anything. Hence all C0 and C1 controls
# (Unicode category Cc, DEL included) and Unicode's line and paragraph separators.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_CHARACTER = "control_character"


def single_line(value: str) -> str:
    """The text as given, or a validation error (422 naming the field) when it holds a control character."""
    if CONTROL_CHARACTERS.search(value):
        raise PydanticCustomError(CONTROL_CHARACTER, "text holds a control character")
    return value


def refuse_control_characters(value: Any) -> Any:
    """single_line() for any field's raw input: a string, or each string of a list; other values pass."""
    if isinstance(value, str):
        return single_line(value)
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                single_line(item)
    return value


SingleLine = AfterValidator(single_line)
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    SingleLine,
    Field(description="A person's name, one line (spaces around it dropped).", examples=["Claire"]),
]
CompanyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    SingleLine,
    Field(description="One line (spaces around it dropped).", examples=["Cabinet Dupont"]),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
# A password being presented (login, current password): any the user may have, as typed.
Password = Annotated[
    str, StringConstraints(min_length=1, max_length=1024), Field(description="The password, exactly as typed.")
]
# A password being chosen: the schema states the domain's policy (domain/passwords.check_policy), which
# refuses it with 422 `weak_password` (naming the rule broken) rather than a bare length error.
NewPassword = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1024),
    WithJsonSchema(
        {
            "type": "string",
            "format": "password",
            "minLength": MIN_LENGTH,
            "maxLength": MAX_LENGTH,
            "description": f"{MIN_LENGTH} to {MAX_LENGTH} characters, any; refused when common or trivial "
            "(422 `weak_password`).",
            "examples": ["Cabinet-Dupont 2026 !"],
        }
    ),
]


def _email(value: str) -> str:
    """An address as email-validator reads it (syntax only, no DNS), lower-cased.

    pydantic's EmailStr imports email-validator when a model is defined, which cost every handler
    that merely shares a module with an email field ~80 ms of cold start; here it loads on first use.
    """
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError("adresse email invalide.") from error


# RFC 5321's longest path (256 octets with its angle brackets): no deliverable address is longer, and
# an email is a DynamoDB key (EMAIL#<email>, 2,048 bytes at most), so a longer one must never reach the store.
EMAIL_MAX_LENGTH = 254
# Every email field of every request: signup, login, codes, email change, firm information, invited rows.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX_LENGTH),
    AfterValidator(_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": EMAIL_MAX_LENGTH,
            "description": "An email address; compared without regard to case.",
            "examples": ["claire.dupont@cabinet-dupont.fr"],
        }
    ),
]
# The email a login presents: only its length is checked (a wrong one answers as a wrong password).
LoginEmail = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX_LENGTH),
    Field(description="The account's email address.", examples=["claire.dupont@cabinet-dupont.fr"]),
]
# One-time codes are ASCII: pydantic's patterns read \d as any Unicode digit (full-width, Arabic-Indic…),
# which the code checks (hmac.compare_digest) refuse. [0-9] and [A-Za-z0-9] are ASCII only.
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$"),
    Field(description="The 6-digit code of the email.", examples=["482913"]),
]
# A TOTP code (6 digits) or a recovery code (10 letters and digits, the dash optional).
MfaCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^([0-9]{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$"),
    Field(
        description="A code of the authenticator app (6 digits) or an unused recovery code (`XXXXX-XXXXX`).",
        examples=["482913"],
    ),
]
# The short-lived token a login hands out when MFA must be answered or enrolled first.
MfaToken = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    Field(description="The `mfa_token` of the login's answer (valid 5 minutes)."),
]
# Ids the client sends back: an account's, a user's, an account type's (whitespace around it dropped)…
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# …and the users and groups a group or a share names, as given.
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Ids = Annotated[list[Id], Field(max_length=500)]


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


Siren = Annotated[
    str,
    AfterValidator(_siren),
    Field(description="9 digits with a valid key (spaces allowed).", examples=["732 829 320"]),
]
Phone = Annotated[
    str,
    StringConstraints(max_length=30),
    AfterValidator(_phone),
    Field(description="International (+33…) or French (06…); stored in E.164.", examples=["06 12 34 56 78"]),
]


# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRY_CODES = frozenset(
    re.findall(
        r"[A-Z]{2}",
        """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
    ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID
    IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
    LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
    NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
    VE VG VI VN VU WF WS YE YT ZA ZM ZW""",
    )
)

# EU VAT numbers, by prefix (Greece is EL, Northern Ireland XI): the format only, not the VIES check.
EU_VAT_FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"[1-9]\d{1,9}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError("Le pays doit être un code ISO 3166-1 alpha-2 (FR, BE, DE…).")
    return code


def _eu_vat(value: str) -> str:
    compact = re.sub(r"[\s.\-]", "", value).upper()
    pattern = EU_VAT_FORMATS.get(compact[:2])
    if pattern is None or not re.fullmatch(pattern, compact[2:]):
        raise ValueError("Le numéro de TVA intracommunautaire doit avoir le format de son pays (FR12345678901).")
    return compact


CountryCode = Annotated[str, StringConstraints(max_length=2), AfterValidator(_country)]
EuVatNumber = Annotated[str, StringConstraints(max_length=20), AfterValidator(_eu_vat)]
