"""Clock control exists only where the settings allow it, and production never allows it."""

import pytest
from pydantic import ValidationError

from shared.service import ServiceSpec
from shared.settings import Settings


def clock_routes(**settings) -> set[str]:
    app = ServiceSpec("intake", "t", "d", []).create_app(Settings(**settings))
    paths = app.openapi()["paths"]
    return {path for path in paths if "clock" in path}


def test_production_refuses_to_start_with_clock_control():
    with pytest.raises(ValidationError, match="never in production"):
        Settings(environment="production", jwt_secret="s" * 40, clock_control=True)


def test_the_clock_routes_exist_only_when_clock_control_is_on():
    assert clock_routes(environment="test", clock_control=True) == {"/v1/ops/clock"}
    assert clock_routes(environment="test") == set()
    assert clock_routes(environment="production", jwt_secret="s" * 40) == set()
