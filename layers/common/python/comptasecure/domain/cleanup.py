"""The scheduled cleanup (SPEC R-USR-6): expired codes and invitation links are removed.

Cost follows what expired, not the table's size; running it twice, or twice at once, is harmless.
DynamoDB TTL stays as a backstop for anything this job would miss.
"""

from comptasecure import clock
from comptasecure.domain import follow_ups, invitations
from comptasecure.store import codes as code_store
from comptasecure.store import expiry
from comptasecure.store import invitations as invitation_store


def purge_expired() -> dict[str, int]:
    now = clock.iso(clock.now())
    # A follow-up still owed past its due time (its stream delivery failed) is delivered again.
    follow_ups.redrive_overdue(now)
    return {
        code_store.EXPIRY_KIND: expiry.delete_if_expired(list(expiry.expired(code_store.EXPIRY_KIND, now)), now),
        # Invited users whose link expired are marked ``invitation_expired`` as their link goes.
        invitation_store.EXPIRY_KIND: invitations.expire_overdue(now),
    }
