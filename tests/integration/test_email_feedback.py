"""SES bounces and complaints (configuration set → EventBridge) reach the users table."""

import copy
import json
from typing import Any

from local.emulator import invoke
from local.template import ROOT
from tests.helpers import Client, audit_events, invite, owner_of_new_account, unique_email

SAMPLE = json.loads((ROOT / "events/jobs/email_feedback.json").read_text())


def bounce(email: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    event = copy.deepcopy(SAMPLE)
    event["detail"]["bounce"]["bounceType"] = bounce_type
    event["detail"]["bounce"]["bouncedRecipients"] = [{"emailAddress": email.upper()}]
    return event


def complaint(email: str) -> dict[str, Any]:
    event = copy.deepcopy(SAMPLE)
    event["detail-type"] = "Email Complaint Received"
    event["detail"] = {"eventType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": email}]}}
    return event


def delivery_of(owner_client: Client, email: str) -> str:
    rows = {row["email"]: row for row in owner_client.get("/users").body["items"]}
    return str(rows[email]["email_delivery"])


def test_permanent_bounce_shows_in_the_users_table_and_the_audit_trail(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("typo")
    [invited] = invite(owner, {"email": email})
    assert delivery_of(owner.client, email) == "ok"

    assert invoke("EmailFeedbackFunction", bounce(email)) == {"marked": 1}

    assert delivery_of(owner.client, email) == "bounced"
    [event] = audit_events(table, owner.account_id, "user.email_undeliverable")
    assert event["target_id"] == invited["user_id"]
    assert event["details"]["delivery"] == "bounced"


def test_transient_bounce_changes_nothing(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("full")
    invite(owner, {"email": email})

    assert invoke("EmailFeedbackFunction", bounce(email, "Transient")) == {"marked": 0}
    assert delivery_of(owner.client, email) == "ok"


def test_complaint_is_shown(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("spam")
    invite(owner, {"email": email})

    assert invoke("EmailFeedbackFunction", complaint(email)) == {"marked": 1}
    assert delivery_of(owner.client, email) == "complained"


def test_address_of_nobody_is_ignored(client: Client) -> None:
    assert invoke("EmailFeedbackFunction", bounce(unique_email("nobody"))) == {"marked": 0}


def test_sent_emails_go_through_the_configuration_set(emulator: Any) -> None:
    import boto3

    name = emulator.values["EmailConfigurationSet"]
    assert boto3.client("sesv2").get_configuration_set(ConfigurationSetName=name)["ConfigurationSetName"] == name
    identity = boto3.client("sesv2").get_email_identity(EmailIdentity=emulator.values["EmailSender"])
    assert identity["ConfigurationSetName"] == name
