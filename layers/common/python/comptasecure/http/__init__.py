"""The HTTP edge: resolver factory, caller identity and roles, error mapping, pagination."""

from comptasecure.domain.membership import MANAGERS, Role
from comptasecure.http.app import api_router, lambda_handler
from comptasecure.http.caller import Caller, current_caller

__all__ = ["MANAGERS", "Caller", "Role", "api_router", "current_caller", "lambda_handler"]
