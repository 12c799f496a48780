"""Who a user is on an account: a role (what they may do) and a status (where their access stands).

One definition for the whole code base: the store writes these values, the domain decides on them,
the HTTP edge checks roles and shows statuses.
"""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


MANAGERS = (Role.OWNER, Role.ADMIN)


class UserStatus(StrEnum):
    INVITED = "invited"
    """The invitation link is sent; no password chosen yet."""
    INVITATION_EXPIRED = "invitation_expired"
    """The link was not used in time; a manager may send a new one."""
    PENDING_CONFIRMATION = "pending_confirmation"
    """A password is chosen; the emailed code is not entered yet."""
    ACTIVE = "active"
    DISABLED = "disabled"
    """An owner or admin disabled the user: no login of any kind until restored."""


class Source(StrEnum):
    """How the user came to the account (the users table's ``source``)."""

    INVITATION = "invitation"
    """Invited by a manager (POST /users, the CSV import), or the owner who signed up."""
    SSO = "sso"
    """Created at their first login through the account's identity provider (just in time)."""
    SCIM = "scim"
    """Provisioned by the firm's directory (SCIM)."""
