"""Fault-matrix scenarios of issue 24's write routes: passkeys (R-MFA-5) and folder sharing (R-FOL-1).

Registered in tests/faults/scenarios.py's registry when imported (its ``SCENARIOS``): the end of
scenarios.py imports this module.
The passkey scenarios use the suite's software authenticator (tests/authenticator.py), kept on the
context so the act signs with the credential the arrange registered.
"""

from typing import Any

from tests.authenticator import Authenticator
from tests.faults.scenarios import Context, Request, _team, _then, fec, group, scenario
from tests.helpers import PASSWORD

FOLDER = "Clients"  # the folder tests.faults.scenarios.fec registers into


def _authenticator(ctx: Context) -> Authenticator:
    device: Authenticator = ctx.values.setdefault("authenticator", Authenticator())
    return device


def _passkey_options(ctx: Context) -> None:
    reply = ctx.people["member"].client.post("/me/passkeys/options")
    assert reply.status == 200, reply.body
    ctx.values["creation"] = reply.body["options"]


def _passkey(ctx: Context) -> None:
    """The member has a passkey (``values['passkey_id']``) in the context's authenticator."""
    _passkey_options(ctx)
    credential = _authenticator(ctx).create(ctx.values["creation"])
    reply = ctx.people["member"].client.post("/me/passkeys", {"credential": credential, "name": "Portable"})
    assert reply.status == 201, reply.body
    ctx.values["passkey_id"] = reply.body["id"]


def _login_started(ctx: Context) -> None:
    """The login page asked for options; the authenticator signed them (``values['assertion']``)."""
    reply = ctx.client.post("/auth/passkey/options")
    assert reply.status == 200, reply.body
    ctx.values["assertion"] = {
        "challenge_id": reply.body["challenge_id"],
        "credential": _authenticator(ctx).get(reply.body["options"]),
    }


def _folder_shared_with_group(ctx: Context) -> None:
    reply = ctx.people["owner"].client.post(
        "/fecs/folder-shares", {"folder": FOLDER, "group_ids": [ctx.values["group_id"]]}
    )
    assert reply.status == 200, reply.body


def _member_joins_group(ctx: Context) -> None:
    ids = [ctx.people["member"].user_id, ctx.people["member2"].user_id]
    reply = ctx.people["owner"].client.patch(f"/groups/{ctx.values['group_id']}", {"member_ids": ids})
    assert reply.status == 200, reply.body


def _registration(ctx: Context) -> dict[str, Any]:
    return {"credential": _authenticator(ctx).create(ctx.values["creation"]), "name": "Téléphone"}


# ---------------------------------------------------------------- passkeys
scenario(
    "passkey-options",
    "POST /me/passkeys/options",
    _team("member"),
    lambda c: c.request("member", "POST", "/me/passkeys/options"),
)
scenario(
    "add-passkey",
    "POST /me/passkeys",
    _then(_team("member"), _passkey_options),
    lambda c: c.request("member", "POST", "/me/passkeys", _registration(c)),
)
scenario(
    "remove-passkey",
    "DELETE /me/passkeys/{passkey_id}",
    _then(_team("member"), _passkey),
    lambda c: c.request("member", "DELETE", f"/me/passkeys/{c.values['passkey_id']}", {"current_password": PASSWORD}),
)
scenario(
    "passkey-login-options",
    "POST /auth/passkey/options",
    _team(),
    lambda c: Request("POST", "/auth/passkey/options"),
)
scenario(
    "passkey-login",
    "POST /auth/passkey",
    _then(_team("member"), _passkey, _login_started),
    lambda c: Request("POST", "/auth/passkey", c.values["assertion"]),
)

# ---------------------------------------------------------------- folders
scenario(
    "share-folder",
    "POST /fecs/folder-shares",
    _then(_team("member"), lambda c: group(c, "member"), lambda c: fec(c), lambda c: fec(c)),
    lambda c: c.request(
        "owner", "POST", "/fecs/folder-shares", {"folder": FOLDER, "group_ids": [c.values["group_id"]]}
    ),
)
scenario(
    "register-fec-in-shared-folder",
    "POST /fecs",
    _then(_team("member"), lambda c: group(c, "member"), lambda c: fec(c), _folder_shared_with_group),
    lambda c: c.request("owner", "POST", "/fecs", {"file_name": "552100554FEC20251231.txt", "folder": FOLDER}),
)
scenario(
    "reshare-group-folder",
    "POST /groups/{group_id}/reshare",
    _then(
        _team("member", "member"),
        lambda c: group(c, "member"),
        lambda c: fec(c),
        _folder_shared_with_group,
        _member_joins_group,
    ),
    lambda c: c.request("owner", "POST", f"/groups/{c.values['group_id']}/reshare", {}),
)
