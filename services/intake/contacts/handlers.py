"""Duty contacts (IN-11): add, change, remove, read. Glue only; never commits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from services.intake.contacts import roster, store
from services.intake.contacts.commands import AddContact, RemoveContact, UpdateContact
from services.intake.contacts.store import Contact, ContactNotFound
from services.intake.customers import store as customers
from services.intake.customers.store import CustomerNotFound
from shared.db import UnitOfWork


async def add_contact(uow: UnitOfWork, command: AddContact) -> Contact:
    # The customer's row lock makes "count, then insert" one step against concurrent adds.
    await store.lock_customer(uow.conn, command.customer_id)
    contact_id = uuid.uuid4()
    roster.check_room(
        await store.other_roles(uow.conn, command.customer_id, contact_id), command.role
    )
    return await store.insert(
        uow.conn,
        Contact(
            id=contact_id,
            customer_id=command.customer_id,
            name=command.name,
            phone=command.phone,
            email=command.email,
            role=command.role,
            created_at=uow.now,
            updated_at=uow.now,
        ),
    )


async def update_contact(uow: UnitOfWork, command: UpdateContact) -> Contact:
    contact = await store.get(uow.conn, command.contact_id)
    if contact is None:
        raise ContactNotFound(f"no contact {command.contact_id}")
    changed = replace(contact, **command.changes)
    if changed == contact:
        return contact
    if changed.role is not contact.role:
        await store.lock_customer(uow.conn, contact.customer_id)
        roster.check_room(
            await store.other_roles(uow.conn, contact.customer_id, contact.id), changed.role
        )
    return await store.update(uow.conn, replace(changed, updated_at=uow.now))


async def remove_contact(uow: UnitOfWork, command: RemoveContact) -> None:
    await store.delete(uow.conn, command.contact_id)


async def get_contact(uow: UnitOfWork, contact_id: UUID) -> Contact:
    contact = await store.get(uow.conn, contact_id)
    if contact is None:
        raise ContactNotFound(f"no contact {contact_id}")
    return contact


async def list_contacts(
    uow: UnitOfWork, customer_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[Contact]:
    contacts = await store.page(uow.conn, customer_id, after=after, limit=limit)
    if not contacts and not await customers.exists(uow.conn, customer_id):
        raise CustomerNotFound(f"no customer {customer_id}")
    return contacts
