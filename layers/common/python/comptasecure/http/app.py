"""One resolver factory for every handler: validation, error mapping and observability applied once."""

from collections.abc import Callable, Iterable
from typing import Any, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure import init_done
from comptasecure.errors import DomainError, InternalError, NotUtf8, UnsupportedMediaType
from comptasecure.http import body, errors, idempotency
from comptasecure.http.caller import is_authenticated, refusal
from comptasecure.observability import logger, metrics
from comptasecure.settings import FunctionSetting, check

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def api_router() -> Router:
    return Router()


def build_app(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=body.parse_json)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[Any]:
        return refused(errors.from_domain(error))

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[Any]:
        return refused(errors.from_validation(error))

    @app.exception_handler(RequestUnsupportedContentType)
    def not_json(error: RequestUnsupportedContentType) -> Response[Any]:
        # A route that reads a model was sent an accepted file type (text/csv) instead of JSON.
        return refused(errors.from_domain(UnsupportedMediaType()))

    @app.exception_handler(UnicodeDecodeError)
    def not_utf8(error: UnicodeDecodeError) -> Response[Any]:
        # A JSON body that is not UTF-8 arrives base64-encoded and fails to decode: malformed, not a crash.
        return refused(errors.from_domain(NotUtf8()))

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return errors.from_domain(InternalError())

    return app


def refused(response: Response[Any]) -> Response[Any]:
    error = response.body.get("error", {}) if isinstance(response.body, dict) else {}
    errors.log_refusal(response.status_code, error.get("code"))
    return response


def request_keys(event: dict[str, Any]) -> dict[str, Any]:
    """What every log line of a request carries: its route and, once authenticated, who is calling (the
    account and user ids, never the email the authorizer also passes). The request id is Powertools'
    correlation_id, API Gateway's requestId, as in the access log."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    caller = {"account_id": context.get("account_id"), "user_id": context.get("user_id")} if context else {}
    return {"route": event.get("routeKey"), **caller}


def lambda_handler(router: Router, *, public: bool = False, requires: Iterable[FunctionSetting] = ()) -> Handler:
    """The Lambda entry point of one route, with logging and metrics around it.

    Default deny: unless its function says it is public, a route answers 401 to an unauthenticated
    request before anything else, body validation included (nothing about the route leaks), saying
    why as the authorizer found it: no token, a token not ours, expired, or of an ended session.
    A missing or malformed setting fails here, at the cold start, naming the variable: the shared
    ones, and those only some functions are given that this route ``requires``.
    """
    check(*requires)
    app = build_app(router)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        logger.append_keys(**request_keys(event))
        if not public and not is_authenticated(event):
            return errors.refuse(refusal(event))
        if event.get("body") and not body.is_accepted(body.media_type(event.get("headers") or {})):
            return errors.refuse(UnsupportedMediaType())
        if idempotency.applies(event):
            return idempotency.run(event, context, lambda: app.resolve(event, context))
        return app.resolve(event, context)

    init_done()
    # Powertools' decorators are untyped: the wrapped function keeps the handler's signature.
    return cast(Handler, handler)
