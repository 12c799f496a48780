"""Security notices (R-MFA-6) read from the local mailbox: each change to a user's security settings is
emailed once, in French, saying what changed, when, from which device and address, and what to do."""

from typing import Any

from local import emails
from tests.authenticator import Authenticator
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    code_in,
    follow_ups_done,
    login,
    owner_of_new_account,
    unique_email,
    wait_for_email,
)
from tests.security_helpers import code_now, enroll, next_code

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
NEW_PASSWORD = "Un nouveau mot de passe 2027"


def from_chrome(client: Client, user: Member) -> Member:
    """The user, calling from Chrome on a Mac (the User-Agent API Gateway passes on)."""
    browser = Client(client.api, user.token, headers={"user-agent": CHROME})
    return Member(user.user_id, user.email, user.account_id, user.role, user.tokens, browser)


def notices(client: Client, to: str, subject: str) -> list[dict[str, Any]]:
    follow_ups_done(client)
    return [email for email in emails.sent(to) if email["subject"] == subject]


def assert_says_when_where_and_what_to_do(email: dict[str, Any], *what: str) -> None:
    text = email["text"]
    for words in what:
        assert words in text, text
    assert "Date : le " in text and "(heure de Paris)" in text, text
    assert "Appareil : Chrome sur macOS, adresse IP : 127.0.0.1." in text, text
    assert "Si vous n'êtes pas à l'origine" in text and "support ComptaSecure" in text, text
    assert "<p>Appareil : Chrome sur macOS" in email["html"]


def test_turning_mfa_on_then_off_is_told_once_each(client: Client) -> None:
    user = from_chrome(client, owner_of_new_account(client))
    secret, _ = enroll(user.client, user)
    [on] = notices(client, user.email, "Double authentification activée sur votre compte ComptaSecure")
    assert_says_when_where_and_what_to_do(on, "Bonjour Claire,", "La double authentification a été activée")
    off = user.client.call("DELETE", "/me/mfa", {"current_password": PASSWORD, "code": next_code(secret)})
    assert off.status == 204, off.body
    [told] = notices(client, user.email, "Double authentification désactivée sur votre compte ComptaSecure")
    assert_says_when_where_and_what_to_do(told, "a été désactivée", "réactivez la double authentification")


def test_mfa_turned_on_at_a_login_the_account_requires_is_told(client: Client) -> None:
    owner = owner_of_new_account(client)
    assert owner.client.patch("/account", {"require_mfa": True}).status == 200
    browser = Client(client.api, headers={"user-agent": CHROME})
    mfa_token = login(browser, owner.email)["mfa_token"]
    secret = browser.post("/auth/mfa/enroll", {"mfa_token": mfa_token}).body["secret"]
    confirmed = browser.post("/auth/mfa/enroll/confirm", {"mfa_token": mfa_token, "code": code_now(secret)})
    assert confirmed.status == 200, confirmed.body
    [on] = notices(client, owner.email, "Double authentification activée sur votre compte ComptaSecure")
    assert_says_when_where_and_what_to_do(on, "activée")


def test_a_passkey_added_then_removed_is_told_once_each_with_its_name(client: Client) -> None:
    user = from_chrome(client, owner_of_new_account(client))
    options = user.client.post("/me/passkeys/options").body["options"]
    added = user.client.post("/me/passkeys", {"credential": Authenticator().create(options)}).body
    assert added["name"] == "Chrome sur macOS"
    [new] = notices(client, user.email, "Nouvelle clé d'accès sur votre compte ComptaSecure")
    assert_says_when_where_and_what_to_do(new, "Une clé d'accès (« Chrome sur macOS ») a été ajoutée")
    removed = user.client.call("DELETE", f"/me/passkeys/{added['id']}", {"current_password": PASSWORD})
    assert removed.status == 204
    [gone] = notices(client, user.email, "Clé d'accès supprimée de votre compte ComptaSecure")
    assert_says_when_where_and_what_to_do(gone, "La clé d'accès « Chrome sur macOS » a été supprimée")


def test_a_changed_password_is_told_with_when_and_where(client: Client) -> None:
    user = from_chrome(client, owner_of_new_account(client))
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    assert user.client.post("/me/password", change).status == 202
    code = code_in(wait_for_email(user.email))
    assert user.client.post("/me/password/confirm", {"code": code}).status == 204
    [told] = notices(client, user.email, "Votre mot de passe ComptaSecure a été modifié")
    assert_says_when_where_and_what_to_do(told, "vient d'être modifié")


def test_an_email_change_is_told_to_the_old_address_when_asked_and_when_done(client: Client) -> None:
    user = from_chrome(client, owner_of_new_account(client))
    new_email = unique_email("moved")
    assert user.client.post("/me/email", {"new_email": new_email, "current_password": PASSWORD}).status == 202
    [asked] = notices(client, user.email, "Demande de changement de votre adresse email ComptaSecure")
    assert_says_when_where_and_what_to_do(asked, f"vers {new_email}")
    code = code_in(emails.sent(new_email)[0])
    assert user.client.post("/me/email/confirm", {"code": code}).status == 200
    [done] = notices(client, user.email, "Votre adresse email ComptaSecure a été modifiée")
    assert_says_when_where_and_what_to_do(done, f"est désormais {new_email}")
