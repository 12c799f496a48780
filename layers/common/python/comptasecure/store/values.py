"""DynamoDB hands numbers back as Decimal; what leaves the store is plain JSON-ready Python."""

from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {name: plain(item) for name, item in value.items()}
    if isinstance(value, list | set | tuple):
        return [plain(item) for item in value]
    return value
