"""A card and an IBAN saved from the page through the Stripe.js stand-in, exactly as a front end does,
then listed by the API: Stripe attaches the confirmed method to the customer, nobody else does."""

from typing import Any

from playwright.sync_api import Page

from tests.helpers import PASSWORD, unique_email

IBAN = "FR1420041010050500013M02606"


def sign_up_and_log_in(page: Page) -> str:
    """A new owner, through the API's signup journey, logged in on the page; returns the email."""
    email = unique_email("browser")
    page.evaluate(
        """async ([email, password]) => {
            const signup = await app.call('POST', '/auth/signup', {email, password, first_name: 'Élodie',
                last_name: 'Rousseau', company_name: 'Cabinet Rousseau'});
            if (signup.status !== 201) throw new Error(JSON.stringify(signup));
            await app.call('POST', '/auth/confirm', {email, code: await app.code(email, 1)});
            const login = await app.call('POST', '/auth/login', {email, password});
            app.token = login.body.access_token;
        }""",
        [email, PASSWORD],
    )
    return email


def start_setup(page: Page, kind: str) -> None:
    """What the billing page does first: a SetupIntent for this kind, its client secret kept."""
    page.evaluate(
        """async (kind) => {
            const started = await app.call('POST', '/billing/payment-methods', {type: kind});
            if (started.status !== 201) throw new Error(JSON.stringify(started));
            app.clientSecret = started.body.client_secret;
        }""",
        kind,
    )


def listed(page: Page) -> list[dict[str, Any]]:
    reply = page.evaluate("app.call('GET', '/billing/payment-methods')")
    assert reply["status"] == 200, reply
    return list(reply["body"]["items"])


def type_card(page: Page, where: str) -> None:
    """What a user types in the card fields: the number as printed on the card, with its spaces."""
    fields = {"number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "30", "cvc": "123"}
    for name, value in {**fields, "postal_code": "69002"}.items():
        page.locator(f"{where} input[placeholder={name}]").press_sequentially(value)


def test_a_card_confirmed_with_confirm_card_setup_is_listed(page: Page) -> None:
    sign_up_and_log_in(page)
    page.evaluate(
        "app.loadStripe().then(() => { app.card = app.stripe.elements().create('card'); app.card.mount('#card'); })"
    )
    start_setup(page, "card")
    type_card(page, "#card")
    result = page.evaluate(
        """app.stripe.confirmCardSetup(app.clientSecret, {
            payment_method: {card: app.card, billing_details: {name: 'Élodie Rousseau'}}})"""
    )
    assert result.get("setupIntent", {}).get("status") == "succeeded", result
    [card] = listed(page)
    assert card["id"] == result["setupIntent"]["payment_method"]
    assert (card["type"], card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == (
        "card",
        "visa",
        "4242",
        12,
        2030,
    )


def test_an_iban_confirmed_with_confirm_sepa_debit_setup_is_listed(page: Page) -> None:
    email = sign_up_and_log_in(page)
    page.evaluate("app.loadStripe()")
    start_setup(page, "sepa_debit")
    # The IBAN passed as {iban}, as Stripe.js accepts it besides an IBAN element.
    result = page.evaluate(
        """([iban, email]) => app.stripe.confirmSepaDebitSetup(app.clientSecret, {
            payment_method: {sepa_debit: {iban}, billing_details: {name: 'Élodie Rousseau', email}}})""",
        [IBAN, email],
    )
    assert result.get("setupIntent", {}).get("status") == "succeeded", result
    [iban] = listed(page)
    assert (iban["type"], iban["last4"]) == ("sepa_debit", IBAN[-4:])


def test_an_iban_typed_in_the_payment_element_is_saved_with_confirm_setup(page: Page) -> None:
    email = sign_up_and_log_in(page)
    page.evaluate(
        """app.loadStripe().then(() => {
            app.elements = app.stripe.elements({clientSecret: null});
            app.elements.create('payment').mount('#payment');
        })"""
    )
    start_setup(page, "sepa_debit")
    page.locator("#payment input[placeholder=iban]").press_sequentially("FR14 2004 1010 0505 0001 3M02 606")
    result = page.evaluate(
        """async (email) => {
            await app.elements.submit();
            return app.stripe.confirmSetup({elements: app.elements, clientSecret: app.clientSecret,
                confirmParams: {return_url: window.location.href,
                                payment_method_data: {billing_details: {name: 'Élodie Rousseau', email}}},
                redirect: 'if_required'});
        }""",
        email,
    )
    assert result.get("setupIntent", {}).get("status") == "succeeded", result
    [iban] = listed(page)
    assert (iban["type"], iban["last4"]) == ("sepa_debit", IBAN[-4:])


def test_a_card_saved_with_confirm_setup_returns_to_the_page_as_stripe_redirects(page: Page) -> None:
    sign_up_and_log_in(page)
    page.evaluate(
        """app.loadStripe().then(() => {
            app.elements = app.stripe.elements();
            app.elements.create('card').mount('#card');
        })"""
    )
    start_setup(page, "card")
    type_card(page, "#card")
    token = page.evaluate("app.token")
    with page.expect_navigation():
        # Not awaited: with a redirect, the page leaves before the promise settles.
        page.evaluate(
            """() => { app.stripe.confirmSetup({elements: app.elements, clientSecret: app.clientSecret,
                confirmParams: {return_url: window.location.href + '&step=saved'}}); }"""
        )
    returned = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    assert returned["redirect_status"] == "succeeded" and returned["step"] == "saved"
    assert returned["setup_intent"].startswith("seti_")
    page.wait_for_function("window.app !== undefined")
    page.evaluate("(token) => { app.token = token; }", token)
    [card] = listed(page)
    assert (card["type"], card["last4"]) == ("card", "4242")
