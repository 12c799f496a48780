"""The audit trail's own rules: no secret is ever recorded, and an export cannot run as a spreadsheet formula."""

import csv
import io

import pytest

from comptasecure.domain import audit_log, audit_search


def test_secret_fields_are_dropped_at_every_depth_and_the_rest_kept() -> None:
    details = {
        "email": "claire@cabinet.fr",
        "password": "Cabinet-Dupont 2026 !",
        "refresh_token": "a.b.c.d",
        "changes": {"phone": {"before": None, "after": "+33612345678"}, "totp_secret": "JBSWY3DPEHPK3PXP"},
        "mfa": {"recovery_codes": ["abcd-efgh"], "nested": {"code_hash": "f00d", "kept": True}},
    }
    assert audit_log._without_secrets(details) == {
        "email": "claire@cabinet.fr",
        "changes": {"phone": {"before": None, "after": "+33612345678"}},
        "mfa": {"nested": {"kept": True}},
    }


@pytest.mark.parametrize("field", sorted(audit_log.SECRET_FIELDS))
def test_every_secret_field_is_dropped(field: str) -> None:
    assert audit_log._without_secrets({field: "secret", "kept": 1}) == {"kept": 1}


def test_changes_records_only_what_really_changed() -> None:
    before = {"name": "Cabinet Dupont", "city": "Paris", "phone": None}
    after = {"name": "Cabinet Dupont", "city": "Lyon", "phone": "+33612345678"}
    assert audit_log.changes(before, after) == {
        "city": {"before": "Paris", "after": "Lyon"},
        "phone": {"before": None, "after": "+33612345678"},
    }
    assert audit_log.changes(before, dict(before)) == {}


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+33612345678", "-2+3", "@cmd", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_execute_is_quoted(cell: str) -> None:
    line = audit_search._csv_line(("2026-01-01T00:00:00.000000Z", cell))
    [row] = csv.reader(io.StringIO(line), delimiter=";")
    assert row == ["2026-01-01T00:00:00.000000Z", "'" + cell]


@pytest.mark.parametrize("cell", ["Cabinet Dupont", "a=b", "user.updated", "", "société « Dupont »"])
def test_an_ordinary_cell_is_left_as_it_is(cell: str) -> None:
    [row] = csv.reader(io.StringIO(audit_search._csv_line((cell, "x"))), delimiter=";")
    assert row == [cell, "x"]


def test_an_export_line_is_semicolon_separated_crlf_and_quotes_what_needs_it() -> None:
    line = audit_search._csv_line(("a;b", 'dit "oui"', "deux\nlignes"))
    assert line.endswith("\r\n")
    [row] = csv.reader(io.StringIO(line, newline=""), delimiter=";")
    assert row == ["a;b", 'dit "oui"', "deux\nlignes"]
