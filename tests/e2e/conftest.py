from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.stack import ServiceStack


@pytest.fixture(scope="module")
async def stack(database_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServiceStack]:
    """The four services as processes, ready, sharing one database and topic prefix for the module."""
    services = ServiceStack(database_url=database_url, bootstrap=broker, log_dir=tmp_path_factory.mktemp("logs"))
    await services.prepare()
    try:
        await services.start()
        yield services
    finally:
        await services.stop()
