"""Stripe for the local run and the tests: localstripe on loopback, or real Stripe test mode.

With ``STRIPE_API_KEY`` in the environment (an ``sk_test_…`` key) the back end talks to real Stripe
test mode and ``STRIPE_WEBHOOK_SECRET`` (e.g. from ``stripe listen``) signs its webhooks. Otherwise
localstripe, a Stripe API emulator, serves on a free loopback port and the back end's
``STRIPE_API_BASE`` points at it. Either way the keys reach the code as in AWS: through the Secrets
Manager secrets the template declares.
"""

import asyncio
import os
import threading
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from aiohttp import web
    from localstripe.resources import List

    from local.emulator import Emulator

LOCAL_API_KEY = "sk_test_localstripe"
WEBHOOK_ID = "comptasecure"


class LocalStripe:
    """localstripe's aiohttp app served from a thread of this process, on 127.0.0.1 only."""

    def __init__(self, port: int):
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LocalStripe":
        threading.Thread(target=self._serve, daemon=True, name="localstripe").start()
        if not self._ready.wait(10):
            raise RuntimeError("localstripe did not start")
        return self

    def _serve(self) -> None:
        from aiohttp import web
        from localstripe.resources import store
        from localstripe.server import app

        # localstripe pickles its whole store to /tmp after every write (to survive restarts):
        # the local run starts from scratch each time, so the state stays in memory.
        store.dump_to_disk = lambda: None
        _add_customer_payment_methods_route(app)
        _honour_idempotency_keys(app)
        _accept_current_setup_intent_parameters()
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def send_webhooks_to(self, url: str, secret: str) -> None:
        """localstripe signs and posts the events it raises (customer.updated, payment_intent.succeeded…)."""
        from localstripe.webhooks import register_webhook

        register_webhook(WEBHOOK_ID, url, secret, None)

    def stop_webhooks(self) -> None:
        from localstripe.webhooks import register_webhook

        register_webhook(WEBHOOK_ID, "http://127.0.0.1", "", [])  # an endpoint subscribed to no event


def _add_customer_payment_methods_route(app: "web.Application") -> None:
    """GET /v1/customers/{id}/payment_methods, which localstripe 1.15 lacks.

    Stripe's documented way to list every payment method of a customer (cards and SEPA debits in
    one call). localstripe only lists ``/v1/payment_methods?type=card``, so this route answers from
    localstripe's own store, exactly as its other list routes do.
    """
    from localstripe.resources import Customer, List, PaymentMethod, store
    from localstripe.server import api_extra

    def list_for_customer(id: str, limit: int | str | None = None, **_: object) -> "List":
        Customer._api_retrieve(id)  # 404 for an unknown customer, as Stripe answers
        found = List(f"/v1/customers/{id}/payment_methods", limit=limit)
        found._list = [
            value
            for key, value in store.items()
            if key.startswith(PaymentMethod.object + ":") and getattr(value, "customer", None) == id
        ]
        return found

    path = "/v1/customers/{id}/payment_methods"
    if not any(getattr(route.resource, "canonical", None) == path for route in app.router.routes()):
        app.router.add_route("GET", path, api_extra(list_for_customer, path))


def _honour_idempotency_keys(app: "web.Application") -> None:
    """A POST sent again with the same ``Idempotency-Key`` gets the first answer, as on Stripe; localstripe
    1.15 ignores the header and would run it twice.

    Stripe keeps a key's answer 24 hours (longer than any run here), keyed by the API key; the same key
    with other parameters is refused (400), and while the first request runs a second one gets a 409
    (stripe-python retries it). Only answers of a request that ran are kept (2xx here): a refused one
    is run again, as Stripe runs again a request whose parameters failed validation. stripe-python sends
    a key with every POST, so our own retries of a customer's creation (its key derived from the account)
    find the customer created the first time.
    """
    from aiohttp import web

    answers: dict[tuple[str, str], tuple[bytes, int, bytes, str]] = {}
    running: set[tuple[str, str]] = set()

    def refusal(status: int, message: str) -> web.Response:
        return web.json_response({"error": {"type": "idempotency_error", "message": message}}, status=status)

    @web.middleware
    async def idempotent(request: web.Request, handler: Any) -> web.StreamResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)  # type: ignore[no-any-return]
        identity = (request.headers.get("Authorization", ""), key)
        parameters = await request.read()
        if identity in answers:
            first, status, body, content_type = answers[identity]
            if first != parameters:
                return refusal(400, "Keys for idempotent requests can only be used with the same parameters.")
            return web.Response(
                status=status, body=body, content_type=content_type, headers={"Idempotent-Replayed": "true"}
            )
        if identity in running:
            return refusal(409, "There is currently another in-progress request using this Idempotency-Key.")
        running.add(identity)
        try:
            response = await handler(request)
        finally:
            running.discard(identity)
        if 200 <= response.status < 300 and isinstance(response, web.Response) and response.body is not None:
            answers[identity] = (parameters, response.status, bytes(response.body), response.content_type)  # type: ignore[arg-type]
        return response  # type: ignore[no-any-return]

    app.middlewares.insert(0, idempotent)


def _accept_current_setup_intent_parameters() -> None:
    """Stripe's current API (the version stripe-python 16 pins) names the SetupIntent's method types
    ``allowed_payment_method_types``; localstripe 1.15 still expects ``payment_method_types``."""
    from localstripe.resources import SetupIntent

    create = SetupIntent._api_create

    def create_current(cls: type, /, **data: object) -> object:
        if "allowed_payment_method_types" in data:
            data["payment_method_types"] = data.pop("allowed_payment_method_types")
        return create(**data)

    SetupIntent._api_create = classmethod(create_current)


def start(emulator: "Emulator", port: int) -> LocalStripe | None:
    """Point the back end at Stripe: real test mode when a key is given, localstripe otherwise."""
    secrets = boto3.client("secretsmanager")
    api_key = os.environ.get("STRIPE_API_KEY")
    if api_key:
        secrets.put_secret_value(SecretId=emulator.values["StripeApiKeySecret"], SecretString=api_key)
        webhook_secret = os.environ.get("STRIPE_WEBHOOK_SECRET")
        if webhook_secret:
            secrets.put_secret_value(SecretId=emulator.values["StripeWebhookSecret"], SecretString=webhook_secret)
        os.environ.pop("STRIPE_API_BASE", None)
        return None
    local = LocalStripe(port).start()
    secrets.put_secret_value(SecretId=emulator.values["StripeApiKeySecret"], SecretString=LOCAL_API_KEY)
    os.environ["STRIPE_API_BASE"] = local.endpoint
    return local


def webhook_secret(emulator: "Emulator") -> str:
    value = boto3.client("secretsmanager").get_secret_value(SecretId=emulator.values["StripeWebhookSecret"])
    return str(value["SecretString"])
