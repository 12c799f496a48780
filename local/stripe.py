"""Stripe for the local run and the tests: localstripe on loopback, or real Stripe test mode.

With ``STRIPE_API_KEY`` in the environment (an ``sk_test_…`` key) the back end talks to real Stripe
test mode and ``STRIPE_WEBHOOK_SECRET`` (e.g. from ``stripe listen``) signs its webhooks. Otherwise
localstripe, a Stripe API emulator, serves on loopback and the back end's ``STRIPE_API_BASE`` points
at it. Either way the keys reach the code as in AWS: through the Secrets Manager secrets the
template declares.

localstripe differs from Stripe where a front end or our webhook would notice; ``_correct_localstripe``
makes it behave as Stripe does, each correction with its reason (README "Stripe" lists them):

- confirming a SetupIntent that has a customer attaches its payment method to that customer, and
  raises ``setup_intent.succeeded`` (localstripe leaves the method unattached, ``customer: null``);
- a payment method attached to or detached from a customer raises ``payment_method.attached`` /
  ``payment_method.detached`` (localstripe raises neither);
- a paid invoice carries a number and raises ``invoice.paid`` (localstripe numbers none and raises
  only ``invoice.payment_succeeded``);
- ``GET /v1/customers/{id}/payment_methods`` and ``allowed_payment_method_types`` exist;
- its Stripe.js stand-in offers what a front end calls (``stripe_js_additions.js``).
"""

import asyncio
import functools
import json
import os
import re
import socket
import threading
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from local import ports

if TYPE_CHECKING:
    from aiohttp import web
    from localstripe.resources import List

    from local.emulator import Emulator

LOCAL_API_KEY = "sk_test_localstripe"
# The publishable key a front end gives Stripe.js: localstripe accepts any ``pk_…``; this one is printed
# at start and served by GET /_local/config.
LOCAL_PUBLISHABLE_KEY = "pk_test_localstripe"
STRIPE_JS_PATH = "/js.stripe.com/v3/"
WEBHOOK_ID = "comptasecure"
STARTUP_HANG_SECONDS = 300
STRIPE_JS_ADDITIONS = Path(__file__).with_name("stripe_js_additions.js")


class LocalStripe:
    """localstripe's aiohttp app served from a thread of this process, on 127.0.0.1 only."""

    def __init__(self, listening: socket.socket):
        self._socket = listening
        self.port = int(listening.getsockname()[1])
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failure: Exception | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def js_url(self) -> str:
        return self.endpoint + STRIPE_JS_PATH

    def start(self) -> "LocalStripe":
        threading.Thread(target=self._serve, daemon=True, name="localstripe").start()
        # Importing aiohttp and localstripe takes a second here, many on a loaded machine: the wait is
        # for the server to be up or to have failed, the bound only against a hang.
        if not self._ready.wait(STARTUP_HANG_SECONDS):
            raise RuntimeError(f"localstripe did not start within {STARTUP_HANG_SECONDS} s")
        if self._failure is not None:
            raise RuntimeError("localstripe did not start") from self._failure
        return self

    def _serve(self) -> None:
        try:
            from aiohttp import web
            from localstripe.server import app

            _correct_localstripe()
            asyncio.set_event_loop(self._loop)
            runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(runner.setup())
            self._loop.run_until_complete(web.SockSite(runner, self._socket).start())
        except Exception as failure:
            self._failure = failure
            return
        finally:
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


@functools.cache
def _correct_localstripe() -> None:
    """Once per process: localstripe's app, classes and store are module-level, like moto's."""
    from localstripe.resources import store
    from localstripe.server import app

    # localstripe pickles its whole store to /tmp after every write (to survive restarts):
    # the local run starts from scratch each time, so the state stays in memory.
    store.dump_to_disk = lambda: None
    _add_customer_payment_methods_route(app)
    _search_customers_by_metadata(app)
    _honour_idempotency_keys(app)
    _accept_current_setup_intent_parameters()
    _attach_the_method_of_a_succeeded_setup()
    _announce_attached_and_detached_methods()
    _number_and_announce_paid_invoices()
    _serve_stripe_js_with_our_additions(app)


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
    app.router.add_route("GET", path, api_extra(list_for_customer, path))


def _search_customers_by_metadata(app: "web.Application") -> None:
    """GET /v1/customers/search, which localstripe 1.15 lacks, for the query the purge sends: one
    ``metadata['<key>']:'<value>'`` clause (Stripe's Search Query Language, an exact match). Any other
    query is refused (400), as Stripe refuses a query it cannot read. Stripe's index lags writes by up
    to a minute; the customers the purge looks for are a day old, so answering from the store is fair.

    As a middleware: localstripe's ``/v1/customers/{id}`` route would take ``search`` for an id.
    """
    from aiohttp import web
    from localstripe.resources import Customer, store

    clause = re.compile(r"^metadata\['([^'\\]+)'\]:'([^'\\]*)'$")

    @web.middleware
    async def search(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method != "GET" or request.path != "/v1/customers/search":
            return await handler(request)  # type: ignore[no-any-return]
        matched = clause.match(request.query.get("query", ""))
        if matched is None:
            error = {"type": "invalid_request_error", "message": "Only metadata['key']:'value' is emulated."}
            return web.json_response({"error": error}, status=400)
        key, value = matched.groups()
        found = [
            customer._export()
            for name, customer in store.items()
            if name.startswith(Customer.object + ":") and (customer.metadata or {}).get(key) == value
        ]
        page = {"object": "search_result", "url": request.path, "has_more": False, "next_page": None, "data": found}
        return web.json_response(page)

    app.middlewares.append(search)


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


def _tracked(cls: type, name: str, changed: Any) -> None:
    """Make attribute ``name`` of localstripe's ``cls`` call ``changed(obj, before, after)`` on each change.

    localstripe's routes hold its API functions themselves (bound at import), so wrapping those would
    change nothing; every path that confirms a SetupIntent or (de)attaches a method ends by setting
    these attributes, which is where Stripe's behaviour hooks in. The value is kept in ``_<name>``,
    which localstripe's export skips, while the property is exported under its own name.
    """
    slot = "_" + name

    def get(obj: Any) -> Any:
        return vars(obj).get(slot)

    def set_(obj: Any, value: Any) -> None:
        before = vars(obj).get(slot)
        vars(obj)[slot] = value
        if value != before:
            changed(obj, before, value)

    setattr(cls, name, property(get, set_))


def _attach_the_method_of_a_succeeded_setup() -> None:
    """Stripe: "if the SetupIntent has a customer, the payment method is attached to it on successful
    setup", then ``setup_intent.succeeded``. localstripe confirms (3-D Secure included) but attaches
    nothing: a front end that confirmed a card with Stripe.js saw ``GET /billing/payment-methods`` empty."""
    from localstripe.resources import Event, PaymentMethod, SetupIntent
    from localstripe.webhooks import schedule_webhook

    def status_changed(intent: Any, before: Any, status: Any) -> None:
        if status != "succeeded":
            return
        method = PaymentMethod._api_retrieve(intent.payment_method)
        if intent.customer and method.customer != intent.customer:
            method.customer = intent.customer
        schedule_webhook(Event("setup_intent.succeeded", intent))

    _tracked(SetupIntent, "status", status_changed)


def _announce_attached_and_detached_methods() -> None:
    """Stripe sends ``payment_method.attached`` and ``payment_method.detached`` (the latter with the
    former customer in ``previous_attributes``); localstripe sends neither, so our webhook's audit of
    a new card never ran locally."""
    from localstripe.resources import Event, PaymentMethod
    from localstripe.webhooks import schedule_webhook

    def customer_changed(method: Any, before: Any, customer: Any) -> None:
        if customer is not None:
            schedule_webhook(Event("payment_method.attached", method))
            return
        event = Event("payment_method.detached", method)
        event.data["previous_attributes"] = {"customer": before}
        schedule_webhook(event)

    _tracked(PaymentMethod, "customer", customer_changed)


def _number_and_announce_paid_invoices() -> None:
    """Stripe numbers an invoice when it is finalized and sends ``invoice.paid`` when it is paid (with
    ``invoice.payment_succeeded``); localstripe numbers none and sends only the latter, so a paid
    invoice never reached the invoices table locally. (It still sends no ``invoice.finalized``.)"""
    from localstripe.resources import Event, Invoice, store
    from localstripe.webhooks import schedule_webhook

    paid = Invoice._on_payment_success

    def on_payment_success(invoice: Any) -> None:
        if getattr(invoice, "number", None) is None:
            numbered = [
                value
                for key, value in store.items()
                if key.startswith("invoice:") and value.customer == invoice.customer and getattr(value, "number", None)
            ]
            # Stripe's form: the customer's invoice prefix, then a sequence per customer.
            invoice.number = f"{invoice.customer[-8:].upper()}-{len(numbered) + 1:04d}"
        paid(invoice)
        schedule_webhook(Event("invoice.paid", invoice))

    Invoice._on_payment_success = on_payment_success


def _serve_stripe_js_with_our_additions(app: "web.Application") -> None:
    """localstripe's Stripe.js stand-in, then ours (``stripe_js_additions.js``), at the same URL.

    The stand-in lacks ``confirmSetup`` and an IBAN element, refuses a card number typed with its
    spaces, and gives ``confirmCardSetup`` / ``confirmSepaDebitSetup`` only one shape of argument; the
    additions give them the shapes Stripe.js documents. localstripe registers its own route at import,
    so a middleware answers that path first.
    """
    from aiohttp import web
    from localstripe import server

    script = Path(server.__file__).with_name("localstripe-v3.js").read_text() + "\n" + STRIPE_JS_ADDITIONS.read_text()

    @web.middleware
    async def stripe_js(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "GET" and request.path == STRIPE_JS_PATH:
            return web.Response(text=script, content_type="application/javascript")
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(stripe_js)


def start(emulator: "Emulator", listening: socket.socket | None) -> LocalStripe | None:
    """Point the back end at Stripe: real test mode when a key is given, localstripe otherwise (on the
    given listening socket, or a free port)."""
    secrets = boto3.client("secretsmanager")
    api_key = os.environ.get("STRIPE_API_KEY")
    if api_key:
        secrets.put_secret_value(SecretId=emulator.values["StripeApiKeySecret"], SecretString=api_key)
        webhook_secret = os.environ.get("STRIPE_WEBHOOK_SECRET")
        if webhook_secret:
            secrets.put_secret_value(SecretId=emulator.values["StripeWebhookSecret"], SecretString=webhook_secret)
        os.environ.pop("STRIPE_API_BASE", None)
        if listening is not None:
            listening.close()
        return None
    local = LocalStripe(listening or ports.listen(0)).start()
    secrets.put_secret_value(SecretId=emulator.values["StripeApiKeySecret"], SecretString=LOCAL_API_KEY)
    os.environ["STRIPE_API_BASE"] = local.endpoint
    return local


def confirm_setup_as_stripe_js(client_secret: str, payment_method_data: dict[str, Any]) -> dict[str, Any]:
    """Confirm a SetupIntent with the request Stripe.js's stand-in sends from the page (the publishable
    key and the intent's client secret, no secret key): for a seed or a test that needs a saved card or
    IBAN without a browser. Stripe (the corrected emulator) attaches the method itself."""
    intent_id = client_secret.split("_secret_")[0]
    body = {
        "key": LOCAL_PUBLISHABLE_KEY,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
        "payment_method_data": payment_method_data,
    }
    request = urllib.request.Request(  # noqa: S310 - the local Stripe emulator
        f"{os.environ['STRIPE_API_BASE']}/v1/setup_intents/{intent_id}/confirm",
        data=json.dumps(body).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        intent: dict[str, Any] = json.loads(response.read())
    return intent


def webhook_secret(emulator: "Emulator") -> str:
    value = boto3.client("secretsmanager").get_secret_value(SecretId=emulator.values["StripeWebhookSecret"])
    return str(value["SecretString"])
