"""DS-3: an offline phone's queue of actions, applied at once, each answered on its own.

Each action is the command its own route runs (`handlers.act`), claimed under the key that
route would claim it under: the phone's key scoped to the principal, the action and its
assignment. An action that reached the server alone, and is uploaded again in a batch
because the phone never saw the answer, is replayed, never applied twice; and the other way
round. The actions run in the phone's time order (`rules.phone_order`), so a `depart`
queued behind its `arrive` still lands first; each in a savepoint of its own, so a refused
one changes nothing (its key is given back) and spares the rest.

This is the batch's counterpart of the command endpoint, whose idempotency table it shares,
so it lives beside the routes rather than among the handlers.
"""

from __future__ import annotations

from typing import Any

from services.dispatch.assignments import handlers, rules
from services.dispatch.assignments.commands import ApplyActions, QueuedAction
from services.dispatch.assignments.schemas import AssignmentPublic
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.http.idempotency import StoredAnswer, claim_many, release_many, remember_many
from shared.http.problems import Problem, refusal_document


def rendered(row: dict[str, Any]) -> dict[str, Any]:
    """The assignment as the action's own route answers it (and stores it for a replay)."""
    return AssignmentPublic.model_validate(row).model_dump(mode="json")


async def apply_actions(command: ApplyActions, uow: UnitOfWork) -> dict[str, Any]:
    schema = uow.settings.service
    actions, principal = command.actions, command.principal
    # The same key twice in one upload is one action: the first runs, the repeat is answered
    # as a retry would be (the table could not claim one key twice in a statement anyway).
    first: dict[str, int] = {}
    for index, queued in enumerate(actions):
        first.setdefault(queued.key, index)
    claims = await claim_many(
        uow.conn,
        schema,
        [(principal, actions[i].key, actions[i].fingerprint) for i in first.values()],
    )
    outcomes: list[dict[str, Any] | None] = [None] * len(actions)
    to_run: list[int] = []
    for index in first.values():
        prior = claims[(principal, actions[index].key)]
        if isinstance(prior, StoredAnswer):
            outcomes[index] = _replayed(actions[index], prior.body)
        elif isinstance(prior, Problem):
            outcomes[index] = _refused(actions[index], prior)
        else:
            to_run.append(index)

    released: list[tuple[str, str]] = []
    remembered: list[tuple[str, str, int, Any]] = []
    order = rules.phone_order([actions[i].action.occurred_at for i in to_run])
    for index in (to_run[position] for position in order):
        queued = actions[index]
        published, changed = len(uow.events), set(uow.changed_keys)
        try:
            async with uow.conn.transaction():
                row = await handlers.act(queued.action, uow)
        except DomainError as refusal:
            # Nothing of it stays: its savepoint rolled back, its events and wake-ups go too.
            del uow.events[published:]
            uow.changed_keys = changed
            outcomes[index] = _refused(queued, refusal)
            released.append((principal, queued.key))
            continue
        body = rendered(row)
        outcomes[index] = {"key": queued.phone_key, "status": "applied", "assignment": body}
        remembered.append((principal, queued.key, 200, body))
    await release_many(uow.conn, schema, released)
    await remember_many(uow.conn, schema, remembered)

    for index, queued in enumerate(actions):
        if outcomes[index] is None:
            outcomes[index] = _repeated(
                queued, actions[first[queued.key]], outcomes[first[queued.key]]
            )
    return {"results": outcomes}


def _replayed(queued: QueuedAction, body: Any) -> dict[str, Any]:
    return {"key": queued.phone_key, "status": "replayed", "assignment": body}


def _refused(queued: QueuedAction, refusal: DomainError | Problem) -> dict[str, Any]:
    return {
        "key": queued.phone_key,
        "status": "refused",
        "problem": refusal_document(refusal, instance=queued.path),
    }


def _repeated(
    queued: QueuedAction, original: QueuedAction, outcome: dict[str, Any] | None
) -> dict[str, Any]:
    if queued.fingerprint != original.fingerprint:
        return _refused(
            queued,
            Problem(
                422,
                "idempotency-key-reused",
                "this key was used with a different action earlier in the same batch",
            ),
        )
    if outcome is None or outcome["status"] == "refused":
        return {**(outcome or {}), "key": queued.phone_key}
    return _replayed(queued, outcome["assignment"])
