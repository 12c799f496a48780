"""What a front-end developer does first, in Chromium: the signup journey from a page of another origin,
Swagger UI at /docs, a foreign origin refused, and the demo account of `make run DEMO=1`."""

from typing import Any

from playwright.sync_api import Browser, Page, expect

from local import demo
from tests.browser.conftest import open_page
from tests.e2e.conftest import Http
from tests.helpers import PASSWORD, unique_email


def test_signup_then_the_emailed_code_then_login_from_the_page(page: Page) -> None:
    email = unique_email("browser")
    me = page.evaluate(
        """async ([email, password]) => {
            const signup = await app.call('POST', '/auth/signup', {email, password, first_name: 'Élodie',
                last_name: 'Rousseau', company_name: 'Cabinet Rousseau & Associés'});
            if (signup.status !== 201) throw new Error(JSON.stringify(signup));
            const code = await app.code(email, 1);  // from GET /_local/emails, as the developer reads it
            const confirmed = await app.call('POST', '/auth/confirm', {email, code});
            if (confirmed.status !== 200) throw new Error(JSON.stringify(confirmed));
            const login = await app.call('POST', '/auth/login', {email, password});
            app.token = login.body.access_token;
            return (await app.call('GET', '/me')).body;
        }""",
        [email, PASSWORD],
    )
    assert (me["email"], me["first_name"], me["role"]) == (email, "Élodie", "owner")


def test_swagger_ui_authorizes_then_tries_get_me(page: Page, local_api: Http) -> None:
    email = demo.OWNER.email
    token = page.evaluate(
        "async ([email, password]) => (await app.call('POST', '/auth/login', {email, password})).body.access_token",
        [email, demo.OWNER.password],
    )
    page.goto(local_api.base + "/docs")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    dialog.locator("#auth-bearer-value").fill(token)
    dialog.locator("button.authorize").click()  # its accessible name is "Apply credentials"
    dialog.locator("button.btn-done").click()
    operation = page.locator(".opblock-get").filter(has=page.locator(".opblock-summary-path[data-path='/me']"))
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    response = operation.locator(".live-responses-table .response").first
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text(f'"email": "{email}"')


def test_a_preflighted_call_from_a_foreign_origin_is_refused(
    browser: Browser, page: Page, foreign_origin: str, local_api: Http
) -> None:
    call = """async () => {
        try {
            const answer = await fetch(app.API + '/account', {headers: {Authorization: 'Bearer not-a-token'}});
            return {status: answer.status};
        } catch (error) {
            return {refused: String(error)};
        }
    }"""
    page.evaluate("app.API = new URL(location.href).searchParams.get('api')")
    # From the front end's origin the preflight passes: the API's own 401 is readable.
    assert page.evaluate(call) == {"status": 401}
    foreign = open_page(browser, foreign_origin, local_api.base)
    try:
        foreign.evaluate("app.API = new URL(location.href).searchParams.get('api')")
        assert foreign.evaluate(call) == {"refused": "TypeError: Failed to fetch"}
    finally:
        foreign.context.close()


def test_the_demo_account_has_something_to_show_at_once(page: Page, local_api: Http) -> None:
    for person in demo.OWNER, demo.ADMIN, demo.MEMBER:
        assert f"{person.email}" in local_api.banner and person.password in local_api.banner
    seen: dict[str, Any] = page.evaluate(
        """async ([email, password]) => {
            const login = await app.call('POST', '/auth/login', {email, password});
            app.token = login.body.access_token;
            const shown = {};
            for (const path of ['/account', '/users', '/groups', '/fecs', '/billing/credits',
                                '/billing/invoices', '/billing/payment-methods', '/audit']) {
                shown[path] = (await app.call('GET', path)).body;
            }
            return shown;
        }""",
        [demo.OWNER.email, demo.OWNER.password],
    )
    assert (seen["/account"]["name"], seen["/account"]["type"]["id"]) == (demo.COMPANY, "premium")
    users = {user["email"]: user for user in seen["/users"]["items"]}
    assert {email: users[email]["role"] for email in users} == {
        demo.OWNER.email: "owner",
        demo.ADMIN.email: "admin",
        demo.MEMBER.email: "member",
        demo.INVITED.email: "member",
    }
    assert users[demo.INVITED.email]["status"] == "invited"
    assert {users[person.email]["status"] for person in (demo.OWNER, demo.ADMIN, demo.MEMBER)} == {"active"}
    groups = {group["name"]: group["member_count"] for group in seen["/groups"]["items"]}
    assert groups == {"Révision comptable": 3, "Paie et social": 0}
    assert sorted((fec["file_name"], fec["folder"]) for fec in seen["/fecs"]["items"]) == sorted(demo.FECS)
    credits = {item["type"]: item["remaining"] for item in seen["/billing/credits"]["items"]}
    assert credits["analyse_fec"] == 25
    [invoice] = seen["/billing/invoices"]["items"]
    assert invoice["amount_excluding_tax"] == 4900 and invoice["paid_at"] and invoice["name"]
    [card] = seen["/billing/payment-methods"]["items"]
    assert (card["last4"], card["is_default"]) == ("4242", True)
    actions = {event["action"] for event in seen["/audit"]["items"]}
    assert {"user.invited", "group.created", "billing.invoice_recorded", "billing.credits_granted"} <= actions
    # Each demo user logs in with the password the banner prints.
    for person in demo.ADMIN, demo.MEMBER:
        login = page.evaluate(
            "([email, password]) => app.call('POST', '/auth/login', {email, password})",
            [person.email, person.password],
        )
        assert login["status"] == 200, login
