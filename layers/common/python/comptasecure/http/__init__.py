"""The HTTP edge: resolver factory, caller identity and roles, error mapping, pagination."""

from comptasecure.http.app import api_router, lambda_handler
from comptasecure.http.caller import MANAGERS, Caller, Role, current_caller

__all__ = ["MANAGERS", "Caller", "Role", "api_router", "current_caller", "lambda_handler"]
