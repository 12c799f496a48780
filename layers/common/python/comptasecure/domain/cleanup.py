"""The scheduled cleanup (SPEC R-USR-6): expired codes and invitation links are removed.

Cost follows what expired, not the table's size; running it twice, or twice at once, is harmless.
DynamoDB TTL stays as a backstop for anything this job would miss.
"""

from comptasecure import clock
from comptasecure.store import codes as code_store
from comptasecure.store import expiry
from comptasecure.store import invitations as invitation_store


def purge_expired() -> dict[str, int]:
    now = clock.iso(clock.now())
    removed: dict[str, int] = {}
    for kind in (code_store.EXPIRY_KIND, invitation_store.EXPIRY_KIND):
        removed[kind] = sum(1 for item in expiry.expired(kind, now) if expiry.delete_if_expired(item, now))
    return removed
