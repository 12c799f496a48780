"""The request body: JSON parsed so that no malformed body can crash a route, or raw bytes for a file.

API Gateway hands over a body either as text or base64-encoded (binary content types, or bytes
that are not UTF-8): raw_body() gives back the bytes the client sent.
"""

import base64
import json
from typing import Any

# The media types a body may have: JSON for every route, and the CSV import's file. Anything else
# (text/plain, XML, a form) is 415; refusing forms and text/plain also means a browser page of
# another origin cannot send a body without the CORS preflight ("simple" requests carry only those).
JSON = "application/json"
FILE_TYPES = ("text/csv", "application/octet-stream")


def media_type(headers: dict[str, str]) -> str:
    """The Content-Type without its parameters, lower case; "" when absent."""
    value = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    return value.split(";", 1)[0].strip().lower()


def is_accepted(media: str) -> bool:
    """JSON or a file type; no Content-Type at all counts as JSON, as Powertools reads it."""
    return media in ("", JSON, *FILE_TYPES)


def parse_json(text: str) -> Any:
    """json.loads, where every way a body can fail to parse is a JSONDecodeError (400 invalid_json).

    The standard library lets three malformed bodies through as other errors: nesting deeper than the
    interpreter's stack (RecursionError, from about 1,500 levels), an integer of more than 4,300 digits
    (ValueError), and the NaN/Infinity literals, which RFC 8259 does not allow.
    """
    try:
        return json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError:
        raise
    except RecursionError as error:
        raise json.JSONDecodeError("nested too deeply", text, 0) from error
    except ValueError as error:
        raise json.JSONDecodeError(str(error), text, 0) from error


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


def raw_body(resolver: Any) -> bytes:
    event = resolver.current_event
    body: str = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")
