"""One resolver factory for every handler: validation, error mapping and observability applied once."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.errors import DomainError
from comptasecure.http import errors
from comptasecure.http.caller import current_caller
from comptasecure.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def api_router() -> Router:
    return Router()


def build_app(*routers: Router, public: bool = False) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)
    if not public:
        # Default deny: a route is authenticated unless its function says it is public.
        app.use(middlewares=[_require_authentication])

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[Any]:
        return errors.from_domain(error)

    def unless_unauthenticated(response: Response[Any]) -> Response[Any]:
        # Powertools validates the request before any middleware runs: without this, a caller with no
        # token would get 400/422 (and learn the body's shape) instead of 401.
        if not public:
            try:
                current_caller(app)
            except DomainError as unauthenticated:
                return errors.from_domain(unauthenticated)
        return response

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[Any]:
        return unless_unauthenticated(errors.from_validation(error))

    @app.exception_handler(UnicodeDecodeError)
    def not_utf8(error: UnicodeDecodeError) -> Response[Any]:
        # A JSON body that is not UTF-8 arrives base64-encoded and fails to decode: malformed, not a crash.
        return unless_unauthenticated(
            errors.error_response(400, "invalid_json", "Le corps de la requête doit être un JSON encodé en UTF-8.")
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return errors.error_response(500, "internal_error", "Une erreur inattendue est survenue. Réessayez.")

    return app


def _require_authentication(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    current_caller(app)
    return next_middleware(app)


def lambda_handler(router: Router, *, public: bool = False) -> Handler:
    """The Lambda entry point of one route, with logging, tracing and metrics around it."""
    app = build_app(router, public=public)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return handler
