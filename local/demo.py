"""`make run DEMO=1`: a demo account, so that a front end has something to show at once.

Everything goes through the product's own code paths, never a write to a table: the HTTP routes (the
local API, authorizer and IAM included), the support functions through Lambda as support invokes
them, the codes and links read from the local mailbox, Stripe (the emulator) confirming a card as
Stripe.js does and billing an invoice whose webhook records it. What it makes:

- Cabinet Demo (Premium, set by support): Claire Dupont, owner; Marc Lefèvre, admin; Sophie Martin,
  member (each with a password, printed); Julien Bernard, invited and not yet accepted;
- two groups, three FEC files in two folders (one shared with a group);
- a billing address, a card (the default), a Premium subscription whose first invoice Stripe paid,
  25 analysis credits granted by support;
- and the audit trail all of it wrote.
"""

import json
import os
import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local import emails, stripe, support
from local.emulator import Emulator
from local.server import LocalApi

COMPANY = "Cabinet Demo"
SIREN = "552100554"
DOMAIN = "cabinet-demo.fr"
WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Person:
    role: str
    first_name: str
    last_name: str
    password: str

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.last_name.lower().replace('è', 'e')}@{DOMAIN}"


OWNER = Person("owner", "Claire", "Dupont", "Bilan-Annuel-Demo-2026")
ADMIN = Person("admin", "Marc", "Lefèvre", "Grand-Livre-Demo-2026")
MEMBER = Person("member", "Sophie", "Martin", "Balance-Agee-Demo-2026")
INVITED = Person("member", "Julien", "Bernard", "")
FECS = (
    (f"{SIREN}FEC20231231.txt", "Exercice 2023"),
    (f"{SIREN}FEC20241231.txt", "Exercice 2024"),
    (f"{SIREN}FEC20241231-provisoire.txt", "Exercice 2024"),
)
FEC_HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\t"
    "PieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
)
# One sale of 1,000 EUR excluding VAT: the client's debit, the revenue's and the VAT's credits.
FEC_LINES = tuple(
    "\t".join(("VE", "Ventes", "1", "20231015", account, label, aux, aux_label, "F2023-101", "20231015"))
    + "\t"
    + "\t".join(("Facture 101", debit, credit, "", "", "20231015", "", ""))
    for account, label, aux, aux_label, debit, credit in (
        ("411000", "Clients", "C001", "Durand SARL", "1200,00", "0,00"),
        ("706000", "Prestations de services", "", "", "0,00", "1000,00"),
        ("445710", "TVA collectée", "", "", "0,00", "200,00"),
    )
)
ADDRESS = {
    "company_name": COMPANY,
    "line1": "18 rue de la Banque",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "vat_number": "FR40303265045",
}


@dataclass
class Demo:
    """What the banner prints of the demo account."""

    account_id: str
    people: tuple[Person, ...] = (OWNER, ADMIN, MEMBER)
    invited: Person = INVITED
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        rows = [f"Demo account: {COMPANY} ({self.account_id})"]
        rows += [f"  {person.role:<8} {person.email:<32} password {person.password}" for person in self.people]
        rows.append(f"  invited  {self.invited.email:<32} (invitation not accepted)")
        rows.append("  " + ", ".join(f"{count} {what}" for what, count in self.counts.items()))
        return rows


class _Caller:
    """Calls the local API in this process, as API Gateway would (the same path as an HTTP request)."""

    def __init__(self, api: LocalApi, token: str | None = None):
        self.api = api
        self.token = token

    def __call__(self, method: str, path: str, body: Any = None, expected: int = 200) -> Any:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else b""
        status, _, raw = self.api.handle(method, path, headers, data)
        answer = json.loads(raw) if raw else None
        if status != expected:
            raise RuntimeError(f"demo seed: {method} {path} answered {status}: {answer}")
        return answer


def _eventually[T](found: Callable[[], T | None], what: str) -> T:
    """What the back end does asynchronously (the workflow's emails, Stripe's webhooks), polled."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (value := found()) is None or value == [] or value is False:
        if time.monotonic() > deadline:
            raise RuntimeError(f"demo seed: no {what} within {WAIT_SECONDS:.0f} s")
        time.sleep(0.05)
    return value


def _email(to: str, count: int) -> str:
    sent = _eventually(lambda: emails.sent(to) if len(emails.sent(to)) >= count else None, f"email #{count} to {to}")
    return str(sent[count - 1]["text"])


def _code(to: str, count: int) -> str:
    match = re.search(r"\b(\d{6})\b", _email(to, count))
    assert match, f"no code in the email to {to}"
    return match.group(1)


def _login(call: _Caller, person: Person) -> _Caller:
    tokens = call("POST", "/auth/login", {"email": person.email, "password": person.password})
    return _Caller(call.api, tokens["access_token"])


def _sign_up_the_owner(api: LocalApi) -> tuple[_Caller, str]:
    public = _Caller(api)
    signup = {
        "email": OWNER.email,
        "password": OWNER.password,
        "first_name": OWNER.first_name,
        "last_name": OWNER.last_name,
        "company_name": COMPANY,
        "siren": SIREN,
    }
    account_id = public("POST", "/auth/signup", signup, expected=201)["account_id"]
    public("POST", "/auth/confirm", {"email": OWNER.email, "code": _code(OWNER.email, 1)})
    return _login(public, OWNER), str(account_id)


def _support(emulator: Emulator, function: str, payload: dict[str, Any]) -> None:
    succeeded, result = support.invoke(emulator.endpoint, function, payload)
    if not succeeded:
        raise RuntimeError(f"demo seed: {function} failed: {result}")


def _join(owner: _Caller, person: Person, group_id: str) -> None:
    row = {"email": person.email, "first_name": person.first_name, "last_name": person.last_name, "role": person.role}
    [result] = owner("POST", "/users", {"users": [{**row, "group_ids": [group_id]}]}, expected=207)["results"]
    assert result["status"] == "invited", result
    if not person.password:
        return  # the pending invitation
    token = re.search(r"invitation\?token=([\w.\-]+)", _email(person.email, 1))
    assert token, f"no invitation link to {person.email}"
    public = _Caller(owner.api)
    public("POST", "/invitations/accept", {"token": token.group(1), "password": person.password})
    public("POST", "/auth/confirm", {"email": person.email, "code": _code(person.email, 2)})


def _upload_fecs(owner: _Caller, group_id: str) -> None:
    content = "\n".join((FEC_HEADER, *FEC_LINES)).encode("utf-8")
    for index, (file_name, folder) in enumerate(FECS):
        fec = owner("POST", "/fecs", {"file_name": file_name, "folder": folder}, expected=201)
        request = urllib.request.Request(fec["upload_url"], data=content, method="PUT")  # noqa: S310 - moto
        urllib.request.urlopen(request, timeout=30).read()  # noqa: S310
        if index == 0:
            owner("POST", f"/fecs/{fec['id']}/shares", {"group_ids": [group_id]})


def _bill(owner: _Caller) -> None:
    """A card saved as a page saves it, made the default; then an invoice Stripe bills and pays on it."""
    owner("PUT", "/billing/address", ADDRESS)
    intent = owner("POST", "/billing/payment-methods", {"type": "card"}, expected=201)
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    stripe.confirm_setup_as_stripe_js(
        intent["client_secret"], {"type": "card", "card": card, "billing_details": {"name": OWNER.email}}
    )
    [method] = _eventually(lambda: owner("GET", "/billing/payment-methods")["items"], "saved card")
    owner("POST", f"/billing/payment-methods/{method['id']}/default")
    # A Premium subscription, as support would set one up at Stripe (the secret key, Stripe's side):
    # Stripe Billing invoices its first period and charges the default card; the webhook records it.
    sdk = _stripe_sdk()
    customer = str(sdk.v1.setup_intents.retrieve(intent["setup_intent_id"]).customer)
    plan = sdk.v1.plans.create(
        {"amount": 4900, "currency": "eur", "interval": "month", "product": {"name": "Abonnement Premium"}}
    )
    sdk.v1.subscriptions.create({"customer": customer, "items": [{"plan": plan.id}]})
    _eventually(lambda: owner("GET", "/billing/invoices")["items"], "invoice recorded through Stripe's webhook")


def _stripe_sdk() -> Any:
    import stripe as stripe_sdk

    return stripe_sdk.StripeClient(stripe.LOCAL_API_KEY, base_addresses={"api": os.environ["STRIPE_API_BASE"]})


def seed(api: LocalApi, emulator: Emulator) -> Demo:
    """Seed the demo account through the product; the local run's HTTP server must already serve (the
    Stripe emulator delivers its webhooks to it)."""
    owner, account_id = _sign_up_the_owner(api)
    _support(
        emulator,
        "SetAccountTypeFunction",
        {"account_id": account_id, "type_id": "premium", "reason": "Compte de démonstration"},
    )
    review = owner("POST", "/groups", {"name": "Révision comptable", "member_ids": []}, expected=201)
    owner("POST", "/groups", {"name": "Paie et social", "member_ids": []}, expected=201)
    for person in (ADMIN, MEMBER, INVITED):
        _join(owner, person, review["id"])
    _upload_fecs(owner, review["id"])
    if emulator.stripe:
        _bill(owner)
    _support(
        emulator,
        "GrantCreditsFunction",
        {"account_id": account_id, "type": "analyse_fec", "amount": 25, "reason": "Crédits de démonstration"},
    )
    shown = {
        "users": "/users",
        "groups": "/groups",
        "FEC files": "/fecs",
        "invoices": "/billing/invoices",
        "audit events": "/audit",
    }
    return Demo(account_id, counts={what: len(owner("GET", path)["items"]) for what, path in shown.items()})
