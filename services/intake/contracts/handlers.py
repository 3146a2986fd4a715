"""Contracts: register, change, read. Glue only: load, decide (rules), save, publish; never commits."""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.contracts import rules, store
from services.intake.contracts.commands import RegisterContract, UpdateContract
from services.intake.contracts.rules import Contract
from services.intake.contracts.store import ContractNotFound
from shared.db import UnitOfWork
from shared.events.intake import ContractRegistered, ContractUpdated


def _facts(contract: Contract) -> dict[str, Any]:
    waiver = contract.originals_waiver
    return {
        "contract_id": contract.id,
        "customer_id": contract.customer_id,
        "coverage": contract.coverage.value,
        "emergency_onsite_7x24": contract.emergency_onsite_7x24,
        "onsite_minutes": contract.onsite_minutes,
        "targets": {p.value: asdict(t) for p, t in contract.targets.items()},
        "step_limits": {p.value: asdict(s) for p, s in contract.step_limits.items()},
        "calendar": contract.calendar.value,
        "warranty_start": contract.warranty_start,
        "warranty_end": contract.warranty_end,
        "originals_waiver": None if waiver is None else asdict(waiver),
        "resident_engineer_id": contract.resident_engineer_id,
        "ladder": [asdict(step) for step in contract.ladder],
    }


async def register_contract(
    uow: UnitOfWork, command: RegisterContract
) -> tuple[Contract, list[ContractRegistered]]:
    end = command.warranty_end or rules.one_year_after(command.warranty_start)
    contract = rules.check(
        Contract(
            id=uuid.uuid4(),
            customer_id=command.customer_id,
            coverage=command.coverage,
            emergency_onsite_7x24=command.emergency_onsite_7x24,
            onsite_minutes=command.onsite_minutes,
            calendar=command.calendar,
            targets=dict(command.targets),
            step_limits=dict(command.step_limits),
            warranty_start=command.warranty_start,
            warranty_end=end,
            originals_waiver=command.originals_waiver,
            resident_engineer_id=command.resident_engineer_id,
            ladder=tuple(sorted(command.ladder, key=lambda step: step.level)),
            created_at=uow.now,
            updated_at=uow.now,
        )
    )
    saved = await store.insert(uow.conn, contract)
    return saved, [ContractRegistered(**_facts(saved), registered_at=uow.now)]


async def update_contract(uow: UnitOfWork, command: UpdateContract) -> Contract:
    contract = await store.lock(uow.conn, command.contract_id)
    if contract is None:
        raise ContractNotFound(f"no contract {command.contract_id}")
    changes = dict(command.changes)
    if "ladder" in changes:
        changes["ladder"] = tuple(sorted(changes["ladder"], key=lambda step: step.level))
    changed = rules.check(replace(contract, **changes))
    if changed == contract:
        return contract  # nothing new for escalation, dispatch or inventory
    saved = await store.update(uow.conn, replace(changed, updated_at=uow.now))
    uow.publish(ContractUpdated(**_facts(saved), updated_at=uow.now))
    return saved


async def get_contract(uow: UnitOfWork, contract_id: UUID) -> Contract:
    contract = await store.get(uow.conn, contract_id)
    if contract is None:
        raise ContractNotFound(f"no contract {contract_id}")
    return contract


async def list_contracts(
    uow: UnitOfWork, *, customer_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[Contract]:
    return await store.page(uow.conn, customer_id=customer_id, after=after, limit=limit)
