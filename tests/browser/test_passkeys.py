"""Passkeys in Chromium (R-MFA-5): a platform authenticator (Chromium's virtual one, through the DevTools
protocol) registers a passkey from the front end's page on http://localhost:<port>, then logs in with it,
without a password, as a person would with Touch ID or Windows Hello."""

from typing import Any

from playwright.sync_api import Page

from tests.browser.test_payment_methods import sign_up_and_log_in


def virtual_authenticator(page: Page) -> tuple[Any, str]:
    """A platform authenticator that keeps discoverable credentials and verifies the user (a fingerprint)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, str(added["authenticatorId"])


def test_a_passkey_registered_in_the_browser_logs_in_without_a_password(page: Page) -> None:
    email = sign_up_and_log_in(page)
    cdp, authenticator = virtual_authenticator(page)
    added = page.evaluate("app.addPasskey('Ce navigateur')")
    assert added["status"] == 201, added
    [stored] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert stored["isResidentCredential"] is True and stored["rpId"] == "localhost"

    page.evaluate("app.token = null")  # logged out: the login page, no email typed
    for _ in range(2):  # twice: the authenticator's counter moves on, the back end follows it
        login = page.evaluate("app.logInWithPasskey()")
        assert login["status"] == 200, login
    me = page.evaluate("app.call('GET', '/me')")
    assert me["status"] == 200 and me["body"]["email"] == email and me["body"]["passkey_count"] == 1
    [listed] = page.evaluate("app.call('GET', '/me/passkeys')")["body"]["items"]
    assert listed["name"] == "Ce navigateur" and listed["last_used_at"]
    [after] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert after["signCount"] >= 2


def test_the_same_authenticator_cannot_register_twice(page: Page) -> None:
    sign_up_and_log_in(page)
    virtual_authenticator(page)
    assert page.evaluate("app.addPasskey('Premier')")["status"] == 201
    refused = page.evaluate("app.addPasskey('Second').then(() => 'created', error => error.name)")
    assert refused == "InvalidStateError"  # excludeCredentials: the browser refuses before the API is asked
