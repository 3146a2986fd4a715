"""Advance notices (IN-9, IV-5): record who must be told, and say so when it is time.

Glue only: load (store), decide (rules), save (store), publish. They run inside a unit of
work and never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.notices import rules, store
from services.intake.notices.commands import EmitDueNotices, NoticeEndOfLife, PublishAdvisory
from services.intake.notices.rules import Source
from shared.commands import Created
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import NoticeDue
from shared.events.inventory import PartEolAnnounced


async def publish_advisory(command: PublishAdvisory, uow: UnitOfWork) -> Created:
    """IN-9: the advisory, and one notice for each customer owning an affected asset.

    Assets record no firmware yet, so the firmware range is kept on the advisory and every
    asset of an affected model counts as affected.
    """
    advisory = await store.insert_advisory(
        uow.conn,
        {
            "id": uuid.uuid4(),
            "manufacturer": command.manufacturer,
            "models": command.models,
            "firmware_from": command.firmware_from,
            "firmware_to": command.firmware_to,
            "text": command.text,
            "severity": command.severity.value,
            "reference": command.reference,
            "created_by": command.by,
            "created_at": uow.now,
        },
    )
    affected = rules.serials_by_customer(
        await store.affected_assets(uow.conn, command.manufacturer, command.models)
    )
    await store.insert_notices(
        uow.conn,
        [(uuid.uuid4(), customer, serials) for customer, serials in affected.items()],
        source=Source.advisory.value,
        advisory_id=advisory["id"],
        reference=command.reference,
        severity=command.severity.value,
        part_number=None,
        end_of_production=None,
        send_by=rules.advisory_send_by(command.severity, uow.now),
        at=uow.now,
    )
    return {**advisory, "notice_count": len(affected)}, []


async def notice_end_of_life(command: NoticeEndOfLife, uow: UnitOfWork) -> int:
    """IV-5: a notice for each customer owning a model whose part goes out of production."""
    affected = rules.serials_by_customer(
        await store.affected_assets(uow.conn, command.manufacturer, command.models)
    )
    await store.insert_notices(
        uow.conn,
        [(uuid.uuid4(), customer, serials) for customer, serials in affected.items()],
        source=Source.eol.value,
        advisory_id=None,
        reference=command.part_number,
        severity=None,
        part_number=command.part_number,
        end_of_production=command.end_of_production,
        send_by=rules.eol_send_by(command.end_of_production, uow.now),
        at=uow.now,
    )
    return len(affected)


async def on_part_eol_announced(
    event: PartEolAnnounced, envelope: Envelope, uow: UnitOfWork
) -> None:
    await notice_end_of_life(
        NoticeEndOfLife(
            part_number=event.part_number,
            manufacturer=event.manufacturer,
            models=tuple(event.models),
            end_of_production=event.end_of_production,
        ),
        uow,
    )


async def emit_due_notices(command: EmitDueNotices, uow: UnitOfWork) -> int:
    """notice.due for each notice whose send-by time has come, each exactly once."""
    notices = await store.claim_due(uow.conn, uow.now, command.limit)
    for notice in notices:
        uow.publish(
            NoticeDue(
                notice_id=notice["id"],
                customer_id=notice["customer_id"],
                contacts=notice["contacts"],
                source=notice["source"],
                advisory_id=notice["advisory_id"],
                reference=notice["reference"],
                severity=notice["severity"],
                part_number=notice["part_number"],
                end_of_production=notice["end_of_production"],
                serials=notice["serials"],
                send_by=notice["send_by"],
            )
        )
    return len(notices)


async def get_advisory(uow: UnitOfWork, advisory_id: UUID) -> dict[str, Any] | None:
    return await store.get_advisory(uow.conn, advisory_id)


async def list_notices(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: rules.NoticeStatus | None,
    customer_id: UUID | None,
    advisory_id: UUID | None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn,
        after=after,
        limit=limit,
        status=status.value if status else None,
        customer_id=customer_id,
        advisory_id=advisory_id,
    )


EVENTS = {PartEolAnnounced: on_part_eol_announced}
