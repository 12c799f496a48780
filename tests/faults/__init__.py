"""The fault matrix (issue 19): what each write route promises when one of its calls fails.

Lambda does not promise that every call succeeds: a function times out or dies after any call, AWS
throttles, Stripe fails, and clients retry what answered 500. So each scenario (one per write route
of API.md, plus Stripe's webhooks, the account purge and the scheduled cleanup) is run again with one
fault at its k-th AWS or Stripe call, for every k, in two modes: the call fails (after the SDK's own
retries), or it succeeds and the function dies right after. Then the client's retry (careful: the
same ``Idempotency-Key``; careless: none), the background work drained, and invariants checked over
the whole account. Each point ends consistent, repaired by the retry, needing a person, or silently
inconsistent (tests/faults/runner.py says exactly when).

- ``injection.py``: where faults go in (botocore's call, stripe-python's request), and the clock
  that moves without sleeping;
- ``scenarios.py``: the registry (arrange, act, who retries);
- ``drain.py``: waiting for background work (extend ``_busy`` for new kinds of it);
- ``invariants.py``: the checks, each failure with its reason and whether a person can see it;
- ``runner.py``: the runs, their classification, the table and build/faults.json.

``make faults`` runs every point and prints the table (``ROUTES=name,…`` or ``make faults
ROUTES="POST /users"`` for some); ``make test`` runs the first and last call of every scenario
(test_sampled_*.py), and every point must end consistent or repaired by the retry.

Adding a scenario (a new route, e.g. SSO, SCIM, passkeys, folders, disabling a user): append a
``scenario(...)`` call at the end of the right section of scenarios.py:

    scenario(
        "disable-user",                                  # its name in the table
        "PATCH /users/{id}",                             # the route as template.yaml declares it
        _then(_team("member"), lambda c: second_session(c, "member")),   # arrange: a fresh account
        lambda c: c.request("owner", "PATCH", f"/users/{c.people['member'].user_id}", {"active": False}),
        ends_sessions={"user.disabled": "member"},       # a change that must end sessions, if any
    )

The arrange returns a ``Context`` (the account, its people by label, other values); the act builds
one ``Request`` from it (or an ``Invocation`` for a function no route serves, with ``client=``
"lambda" or "scheduler"). New people or addresses the act writes to go in ``ctx.addresses`` so
their emails are counted. ``test_every_write_route_has_a_scenario`` fails until each write route of
template.yaml has one. A new invariant goes in
invariants.py's ``check``; a new kind of background work in drain.py's ``_busy``.
"""
