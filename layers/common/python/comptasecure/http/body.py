"""The request body as bytes, for routes that take a file rather than JSON.

API Gateway hands over a body either as text or base64-encoded (binary content types, or bytes
that are not UTF-8): both come back here as the bytes the client sent.
"""

import base64
from typing import Any


def raw_body(resolver: Any) -> bytes:
    event = resolver.current_event
    body: str = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")
