"""Who is calling: the identity the authorizer put in the request context, and role checks."""

from dataclasses import dataclass
from typing import Any

from comptasecure.domain.membership import MANAGERS, Role
from comptasecure.errors import Forbidden, InvalidToken, SessionEnded, TokenExpired, Unauthorized

# Why the authorizer refused a token, by the code it put in the context as `reason` (no reason: no token).
REFUSALS: dict[str, type[Unauthorized]] = {kind.code: kind for kind in (InvalidToken, TokenExpired, SessionEnded)}


@dataclass(frozen=True)
class Caller:
    account_id: str
    user_id: str
    email: str
    role: Role
    session_id: str
    session_epoch: int

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden()

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS


def _verdict(event: dict[str, Any]) -> dict[str, Any]:
    """What the authorizer concluded about this request's token (its context)."""
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}


def is_authenticated(event: dict[str, Any]) -> bool:
    return _verdict(event).get("authenticated") is True


def refusal(event: dict[str, Any]) -> Unauthorized:
    """The 401 an unauthenticated request gets: why its token was refused, or that it had none."""
    return REFUSALS.get(str(_verdict(event).get("reason")), Unauthorized)()


def current_caller(resolver: Any) -> Caller:
    """Built from the Lambda authorizer's context; never from anything the client sent."""
    context = resolver.current_event.request_context.authorizer.get_lambda or {}
    if context.get("authenticated") is not True:
        raise Unauthorized()
    try:
        return Caller(
            account_id=context["account_id"],
            user_id=context["user_id"],
            email=context["email"],
            role=Role(context["role"]),
            session_id=context["session_id"],
            session_epoch=int(context.get("session_epoch", 0)),
        )
    except (KeyError, ValueError) as error:
        raise Unauthorized() from error
