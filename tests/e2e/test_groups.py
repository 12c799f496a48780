"""Groups and re-share (R-GRP-2, R-GRP-3) over HTTP against the local run, as the front end drives it."""

import re

from tests.e2e.conftest import Http
from tests.e2e.test_users import code_of, signed_in_owner
from tests.helpers import PASSWORD, unique_email


def invited_member(local_run: Http, owner: str) -> tuple[str, str]:
    """A member invited by the owner who accepted and confirmed: (user id, access token)."""
    email = unique_email("e2e-member")
    status, created = local_run.call("POST", "/users", {"users": [{"email": email}]}, owner)
    assert status == 207, created
    [invitation] = local_run.emails(email)
    link = re.search(r"invitation\?token=([\w.\-]+)", invitation["text"]).group(1)  # type: ignore[union-attr]
    assert local_run.call("POST", "/invitations/accept", {"token": link, "password": PASSWORD})[0] == 200
    code = code_of(local_run.emails(email, count=2)[1])
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code})[0] == 200
    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    return str(created["results"][0]["user_id"]), str(tokens["access_token"])


def test_a_late_joiner_is_told_and_gets_the_earlier_file_by_reshare(local_run: Http) -> None:
    owner = signed_in_owner(local_run)
    alice, _ = invited_member(local_run, owner)
    bob, bobs_token = invited_member(local_run, owner)
    status, group = local_run.call("POST", "/groups", {"name": "Mission Roux", "member_ids": [alice]}, owner)
    assert status == 201
    assert group["shared_fec_count"] == 0
    status, fec = local_run.call("POST", "/fecs", {"file_name": "732829320FEC20251231.txt"}, owner)
    assert status == 201
    assert local_run.call("POST", f"/fecs/{fec['id']}/shares", {"group_ids": [group["id"]]}, owner)[0] == 200
    assert local_run.call("GET", f"/groups/{group['id']}", token=owner)[1]["shared_fec_count"] == 1

    status, edited = local_run.call("PATCH", f"/groups/{group['id']}", {"member_ids": [alice, bob]}, owner)
    assert status == 200
    assert edited["earlier_shares"] == {"fec_count": 1, "member_ids": [bob], "folder_count": 0}
    assert local_run.call("GET", "/fecs", token=bobs_token)[1]["items"] == []

    assert local_run.call("POST", f"/groups/{group['id']}/reshare", {}, bobs_token)[0] == 403
    assert local_run.call("POST", f"/groups/{group['id']}/reshare", {}, owner) == (200, {"granted": 1})
    assert local_run.call("POST", f"/groups/{group['id']}/reshare", {}, owner) == (200, {"granted": 0})
    assert [item["id"] for item in local_run.call("GET", "/fecs", token=bobs_token)[1]["items"]] == [fec["id"]]
