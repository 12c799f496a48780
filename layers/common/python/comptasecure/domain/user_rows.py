"""What an invitation asks for, one row per user (SPEC R-USR-3): from the form or from a CSV file.

Kept apart from domain/users so that the edge's request models can share its limits without
importing the users' rules and their store.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_ROWS = 1000
MAX_CELL_LENGTH = 1000


@dataclass(frozen=True)
class NewUser:
    """One row as sent: loose on purpose, each row is validated on its own and its error reported
    in its result, so one bad row never rejects the others."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    group_ids: Sequence[str] = field(default_factory=tuple)
