"""A user's second factor, kept on the user item, and the check of the account's MFA requirement.

User item attributes: ``mfa_enabled`` (true, absent when off), ``totp_secret`` (sealed),
``totp_pending_secret`` (sealed, between enrollment and its first code), ``totp_last_step`` (the
last time step whose code was accepted: a code is never accepted twice) and
``recovery_code_hashes`` (a string set of keyed hashes, one removed per use). Every change is a
condition on the state it was decided on, so concurrent requests cannot both win.
"""

from dataclasses import dataclass
from typing import Any

from comptasecure.errors import InvalidCode, MfaAlreadyEnabled, MfaRequiredByAccount
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction
from comptasecure.store.users import MfaTokenSpent, SessionsEnd, joined

NOT_ENABLED = "attribute_not_exists(mfa_enabled) OR mfa_enabled = :false"
# Cleared by every accepted code: the wrong ones before it no longer count.
ATTEMPT_COUNTERS = "mfa_attempts, mfa_attempts_until"


def _user_key(account_id: str, user_id: str) -> dict[str, str]:
    return keys.key(keys.account_pk(account_id), keys.user_sk(user_id))


def set_pending_secret(tx: Transaction, account_id: str, user_id: str, sealed_secret: str) -> None:
    """Keep the secret being enrolled until its first code proves the app has it."""
    tx.update(
        _user_key(account_id, user_id),
        "SET totp_pending_secret = :secret",
        condition=f"attribute_exists(PK) AND ({NOT_ENABLED})",
        values={":secret": sealed_secret, ":false": False},
        on_condition_failed=MfaAlreadyEnabled(),
    )


def enable(
    tx: Transaction,
    account_id: str,
    user_id: str,
    sealed_secret: str,
    step: int,
    recovery_hashes: set[str],
    ending: SessionsEnd,
    spent: MfaTokenSpent | None = None,
) -> None:
    """Turn MFA on with the pending secret the code was checked against (not one enrolled since), ending
    the user's sessions (and spending the login's ``mfa_token`` when enrolling at login)."""
    set_actions, conditions, epoch_values = joined(ending, spent)
    tx.update(
        _user_key(account_id, user_id),
        "SET mfa_enabled = :true, totp_secret = :secret, totp_last_step = :step, recovery_code_hashes = :hashes"
        f"{set_actions} REMOVE totp_pending_secret, {ATTEMPT_COUNTERS}",
        condition=f"totp_pending_secret = :secret AND ({NOT_ENABLED}){conditions}",
        values={
            ":true": True,
            ":false": False,
            ":secret": sealed_secret,
            ":step": step,
            ":hashes": recovery_hashes,
            **epoch_values,
        },
        on_condition_failed=MfaAlreadyEnabled(),
    )


@dataclass(frozen=True)
class CodeUse:
    """The single use of a code: a TOTP time step, or a recovery code's hash."""

    step: int | None = None
    recovery_hash: str | None = None

    def condition(self) -> tuple[str, dict[str, Any]]:
        """The condition under which this code is still unused, and its values."""
        if self.step is not None:
            return "(attribute_not_exists(totp_last_step) OR totp_last_step < :step)", {":step": self.step}
        return "contains(recovery_code_hashes, :hash)", {":hash": self.recovery_hash}


def use_code(
    tx: Transaction, account_id: str, user_id: str, sealed_secret: str, use: CodeUse, spent: MfaTokenSpent
) -> None:
    """Accept a code once: a step later than the last one accepted (no replay), or a recovery code
    still in the set (removed now), with the login's ``mfa_token`` spent. Concurrent uses of one code
    or one token: only one transaction passes."""
    condition, values = use.condition()
    token_action, token_condition, token_values = spent.clause()
    if use.step is not None:
        expression = f"SET totp_last_step = :step, {token_action} REMOVE {ATTEMPT_COUNTERS}"
    else:
        expression = f"SET {token_action} DELETE recovery_code_hashes :spent REMOVE {ATTEMPT_COUNTERS}"
        values[":spent"] = {use.recovery_hash}
    tx.update(
        _user_key(account_id, user_id),
        expression,
        condition=f"mfa_enabled = :true AND totp_secret = :secret AND {condition} AND {token_condition}",
        values={":true": True, ":secret": sealed_secret, **values, **token_values},
        on_condition_failed=InvalidCode(),
    )


def disable(
    tx: Transaction, account_id: str, user_id: str, sealed_secret: str, use: CodeUse, ending: SessionsEnd
) -> None:
    """Turn MFA off, if the code that allowed it is still unused (it cannot serve twice), ending the
    user's sessions."""
    condition, values = use.condition()
    set_action, epoch_condition, epoch_values = ending.clause()
    tx.update(
        _user_key(account_id, user_id),
        # The right password and code also clear the password attempts counted on the way.
        f"SET {set_action} "
        "REMOVE mfa_enabled, totp_secret, totp_pending_secret, totp_last_step, recovery_code_hashes, "
        f"password_attempts, password_attempts_until, {ATTEMPT_COUNTERS}",
        condition=f"mfa_enabled = :true AND totp_secret = :secret AND {condition} AND {epoch_condition}",
        values={":true": True, ":secret": sealed_secret, **values, **epoch_values},
        on_condition_failed=InvalidCode(),
    )


def check_not_required(tx: Transaction, account_id: str) -> None:
    """MFA may be turned off only while the account does not require it (checked in the same transaction)."""
    tx.check(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "attribute_exists(PK) AND (attribute_not_exists(require_mfa) OR require_mfa = :false)",
        values={":false": False},
        on_condition_failed=MfaRequiredByAccount(),
    )
