"""Each service declares its tables on its own metadata, in its own schema."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.platform_tables import platform_tables


def schema_base(schema: str) -> type[SQLModel]:
    """A SQLModel base whose tables land in `schema`, beside the platform tables."""
    metadata = sa.MetaData(schema=schema)
    platform_tables(metadata, schema)

    class Base(SQLModel, registry=registry(metadata=metadata)):
        pass

    Base.__name__ = f"{schema.title()}Table"
    return Base
