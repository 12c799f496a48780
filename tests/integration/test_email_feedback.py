"""SES bounces and complaints (configuration set → EventBridge) reach the users table."""

import copy
import json
from typing import Any

from comptasecure.settings import settings
from local.emulator import Emulator, invoke
from local.template import ROOT
from tests.helpers import Client, audit_events, eventually, invite, owner_of_new_account, unique_email

SAMPLE = json.loads((ROOT / "events/jobs/email_feedback.json").read_text())


def bounce(email: str, bounce_type: str = "Permanent", configuration_set: str | None = None) -> dict[str, Any]:
    """SES's event for a bounce of an email sent through this stage's configuration set (or another's)."""
    event = copy.deepcopy(SAMPLE)
    event["detail"]["bounce"]["bounceType"] = bounce_type
    event["detail"]["bounce"]["bouncedRecipients"] = [{"emailAddress": email.upper()}]
    tag = configuration_set or settings().email_configuration_set
    event["detail"]["mail"]["tags"] = {"ses:configuration-set": [tag]}
    return event


def complaint(email: str) -> dict[str, Any]:
    event = copy.deepcopy(SAMPLE)
    event["detail-type"] = "Email Complaint Received"
    event["detail"] = {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": email}]},
        "mail": {"tags": {"ses:configuration-set": [settings().email_configuration_set]}},
    }
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
    # The identity is the sender's whole domain (signed with Easy DKIM on AWS: issue 20, item 14).
    domain = emulator.values["EmailSender"].rpartition("@")[2]
    assert emulator.values["SenderIdentity"] == domain
    identity = boto3.client("sesv2").get_email_identity(EmailIdentity=domain)
    assert identity["ConfigurationSetName"] == name


def test_a_bounce_of_another_stage_marks_nobody(client: Client, emulator: Emulator) -> None:
    """Every stage of the account publishes to the same bus (issue 20, item 13)."""
    owner = owner_of_new_account(client)
    email = unique_email("other-stage")
    invite(owner, {"email": email})
    of_staging = bounce(email, configuration_set="comptasecure-staging-emails")

    assert emulator.publish(of_staging) == [], "the rule's pattern lets another stage's bounce through"
    assert invoke("EmailFeedbackFunction", of_staging) == {"marked": 0}
    assert delivery_of(owner.client, email) == "ok"


def test_a_bounce_of_this_stage_reaches_the_function_through_the_rule(client: Client, emulator: Emulator) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("this-stage")
    invite(owner, {"email": email})

    assert emulator.publish(bounce(email)) == ["EmailFeedbackFunction"]
    eventually(lambda: delivery_of(owner.client, email) == "bounced", "the bounce marked through the rule")
