"""What a front end's dev server needs to point at this run: the start banner and GET /_local/config.

Both are made from one ``LocalConfig``, so what the banner says and what the route answers agree
(API.md "Local run only").
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local import stripe

if TYPE_CHECKING:
    from local.demo import Demo
    from local.emulator import Emulator

REAL_STRIPE_API = "https://api.stripe.com"
REAL_STRIPE_JS = "https://js.stripe.com/v3/"


@dataclass(frozen=True)
class LocalConfig:
    api_url: str
    aws_endpoint_url: str
    stripe_api_url: str
    stripe_js_url: str
    stripe_publishable_key: str | None
    """localstripe takes any ``pk_…``; with real Stripe test mode, STRIPE_PUBLISHABLE_KEY if given."""
    oidc_issuer: str | None = None
    """The local OpenID provider's issuer, once the local run has one (SSO): set it here, it is then
    printed and served; until then the field is left out of GET /_local/config."""

    @classmethod
    def of(cls, emulator: "Emulator", api_url: str, publishable_key: str | None) -> "LocalConfig":
        local_stripe = emulator.stripe
        return cls(
            api_url=api_url,
            aws_endpoint_url=emulator.endpoint,
            stripe_api_url=local_stripe.endpoint if local_stripe else REAL_STRIPE_API,
            stripe_js_url=local_stripe.js_url if local_stripe else REAL_STRIPE_JS,
            stripe_publishable_key=stripe.LOCAL_PUBLISHABLE_KEY if local_stripe else publishable_key,
        )

    @property
    def docs_url(self) -> str:
        return self.api_url + "/docs"

    @property
    def emails_url(self) -> str:
        return self.api_url + "/_local/emails"

    def as_json(self) -> dict[str, Any]:
        """GET /_local/config's body."""
        body: dict[str, Any] = {
            "api_url": self.api_url,
            "docs_url": self.docs_url,
            "emails_url": self.emails_url,
            "aws_endpoint_url": self.aws_endpoint_url,
            "stripe_api_url": self.stripe_api_url,
            "stripe_js_url": self.stripe_js_url,
            "stripe_publishable_key": self.stripe_publishable_key,
        }
        if self.oidc_issuer:
            body["oidc_issuer"] = self.oidc_issuer
        return body

    def support_command(self, account_id: str = "<account_id>") -> str:
        return (
            f".venv/bin/python -m local.support --endpoint {self.aws_endpoint_url} "
            f'grant-credits {account_id} analyse_fec 10 --reason "Geste commercial"'
        )

    def banner(self, demo: "Demo | None" = None, notes: tuple[str, ...] = ()) -> str:
        """What `make run` prints once it answers; its first line says the API is up."""
        key = self.stripe_publishable_key or "STRIPE_PUBLISHABLE_KEY (yours, matching STRIPE_API_KEY)"
        emulated = "localstripe" if self.stripe_api_url != REAL_STRIPE_API else "real Stripe, test mode"
        rows = [
            ("Swagger UI", self.docs_url),
            ("Emails sent", self.emails_url + "?to=<address>"),
            ("Front-end config", self.api_url + "/_local/config"),
            ("AWS (moto)", self.aws_endpoint_url),
            ("Stripe API", f"{self.stripe_api_url} ({emulated})"),
            ("Stripe.js", self.stripe_js_url),
            ("Publishable key", key),
            ("OpenID issuer", self.oidc_issuer or ""),
            ("Support", self.support_command(demo.account_id if demo else "<account_id>")),
        ]
        lines = [f"ComptaSecure API on {self.api_url}"]
        lines += [f"  {label:<17} {value}" for label, value in rows if value]
        lines += [*notes, *(demo.lines() if demo else [])]
        lines.append("Data lives in memory only: it is gone when this run stops. Ctrl-C stops.")
        return "\n".join(lines)
