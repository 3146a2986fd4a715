"""Schemathesis against each service's own OpenAPI document, answered by the real processes.

Every generated request, valid or not, must get an answer the document promises:
no 5xx, a documented status code, the documented content type and body schema.
The document is built in-process at collection (schemathesis' lazy fixture loader
does not run on pytest 9); a test checks it is the one each process serves.
"""

import hashlib
import importlib
import json
import uuid
from datetime import UTC

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, reject, settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

from services.escalation.calendars.rules import NAME_PATTERN
from services.inventory.parts.rules import PART_NUMBER
from shared.http.pagination import encode_cursor
from shared.settings import SERVICES, Settings
from tests.badinput.conftest import Seeded
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.badinput

MAX_EXAMPLES = 75  # per operation; the whole badinput set stays well under 3 minutes on 2 cores


def openapi_document(service: str) -> dict:
    spec = importlib.import_module(f"services.{service}.app").SPEC
    # As the test stack runs them (tests/support/stack.py TEST_ENV): with the ops clock routes.
    settings = Settings(service=service, environment="test", clock_control=True)
    return spec.create_app(settings).openapi()


def make_valid_data_usable(case, data, seeded: Seeded) -> None:
    """Schema-valid is not always usable: make it so where the difference is state, not shape.

    Ids are swapped for seeded ones about half the time, so some requests find things;
    a ticket's customer must exist (else 422 by rule); a cursor must be one the API gave
    out, so it is made from a drawn position; an Idempotency-Key reused with another body
    is a 422 by design, so the key is made unique to the request. Negative parts are
    left as they are: those must be refused.
    """
    known = {
        "customer_id": seeded.customer_id,
        "ticket_id": seeded.ticket_id,
        "engineer_id": seeded.engineer_id,
        "assignment_id": seeded.assignment_id,
        "part_number": seeded.part_number,
        "location_id": seeded.location_id,
        "site_id": seeded.site_id,
        "contract_id": seeded.contract_id,
    }
    if case.path_parameters and not case.meta.is_negative_at(ParameterLocation.PATH):
        for name in case.path_parameters:
            if name in known and data.draw(st.booleans(), label=f"seeded {name}"):
                case.path_parameters[name] = known[name]
    if isinstance(case.body, dict) and not case.meta.is_negative_at(ParameterLocation.BODY):
        # A body's references must be things that exist: the seeded customer's, the seeded
        # location (else 422 by rule).
        for name in ("customer_id", "site_id", "contract_id", "engineer_id", "location_id"):
            if name in case.body:
                case.body[name] = known[name]
        # Rules across fields the schema cannot state (an end after its start, a restore
        # target after its response target, a shift's ranges apart): leave those to defaults.
        for name in ("warranty_end", "targets", "on_call", "shift"):
            case.body.pop(name, None)
        # A transfer moves stock between two locations.
        if case.body.get("from_location_id") == case.body.get("to_location_id") is not None:
            case.body["to_location_id"] = str(uuid.uuid4())
        if case.method.upper() == "POST" and case.formatted_path == "/v1/tickets":
            usable_ticket(case.body, seeded)
        if case.formatted_path.startswith("/v1/calendars"):
            usable_calendar(case.body)
        # A follow-up call is in the past, and a report names each part's serial once.
        if "called_at" in case.body:
            case.body["called_at"] = "2026-01-01T08:00:00+00:00"
        if isinstance(case.body.get("report"), dict):
            case.body["report"].pop("parts_used", None)
        # A loaner due back and an end of production are refused in the past (IV-2, IV-5).
        case.body.pop("due_back", None)
        if "end_of_production" in case.body:
            case.body["end_of_production"] = "2099-12-31"
        if case.method.upper() == "PATCH":
            for name in ("warranty_start", "accepted_on"):
                case.body.pop(name, None)
    if (
        case.query
        and "cursor" in case.query
        and not case.meta.is_negative_at(ParameterLocation.QUERY)
    ):
        # A timeline and a part's ledger page by the order they were written in.
        if case.path.endswith(("/timeline", "/ledger")):
            case.query["cursor"] = encode_cursor(
                data.draw(st.integers(0, 2**62), label="cursor sequence")
            )
        elif case.formatted_path in ("/v1/parts", "/v1/vendor/parts"):  # by part number
            case.query["cursor"] = encode_cursor(
                data.draw(st.from_regex(PART_NUMBER, fullmatch=True), label="cursor part")
            )
        elif case.formatted_path == "/v1/locations":  # locations page by name: any storable text
            case.query["cursor"] = encode_cursor(
                data.draw(
                    st.text(
                        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                        min_size=1,
                        max_size=100,
                    ),
                    label="cursor location name",
                )
            )
        elif case.formatted_path == "/v1/calendars":  # calendars page by name
            case.query["cursor"] = encode_cursor(
                data.draw(st.from_regex(NAME_PATTERN, fullmatch=True), label="cursor name")
            )
        elif case.formatted_path == "/v1/knowledge" and case.query.get("q"):
            # A ranked search's cursor carries the window it stopped in: only the API makes one.
            del case.query["cursor"]
        else:
            at = data.draw(st.datetimes(timezones=st.just(UTC)), label="cursor time")
            case.query["cursor"] = encode_cursor(
                at.isoformat(), str(data.draw(st.uuids(), label="cursor id"))
            )
    key = (case.headers or {}).get("Idempotency-Key")
    if key and not case.meta.is_negative_at(ParameterLocation.HEADER):
        request = json.dumps([case.formatted_path, case.body], sort_keys=True, default=str)
        case.headers["Idempotency-Key"] = (
            f"{key[:200]}-{hashlib.sha256(request.encode()).hexdigest()[:16]}"
        )


def usable_ticket(body: dict, seeded: Seeded) -> None:
    """A report names the seeded customer or its asset's serial (an unknown one is a 422 by
    rule), an alarm comes from monitoring about a serial, and `reported_at` is left to the
    server's clock (a time is refused more than 5 minutes ahead or 30 days back)."""
    body.pop("reported_at", None)
    body.pop("contact_id", None)
    if body.get("alarm") is not None:
        body["channel"] = "monitoring"
        body["serial"] = seeded.serial
    if body.get("serial") is not None:
        body["serial"] = seeded.serial
        body.pop("manufacturer", None)
    else:
        body.pop("serial", None)
        body.pop("manufacturer", None)
        body["customer_id"] = seeded.customer_id


def usable_calendar(body: dict) -> None:
    """A calendar's ranges apart on each day and no date both off and worked; a due preview's
    start within 1970-2199 and its pauses forward: rules across values the schema cannot state."""
    if "ranges" in body:
        body["ranges"] = {"mon-fri": ["08:30-12:00", "13:00-17:30"]}
    for name in ("workdays", "add_workdays", "remove_workdays", "remove_holidays", "pauses"):
        body.pop(name, None)
    if "start" in body:
        body["start"] = "2026-09-30T11:00:00+08:00"


def usable_phone_times(body: dict, stack: ServiceStack, service: str, token: str) -> None:
    """A phone's time is believed from a week before the server's clock to five minutes after
    it (422 otherwise, by rule), and the tests move that clock: send the server's now."""
    actions = body.get("actions")
    items = (
        [body, *(a for a in actions if isinstance(a, dict))]
        if isinstance(actions, list)
        else [body]
    )
    if not any("occurred_at" in item for item in items):
        return
    clock = httpx.get(
        f"{stack.url(service)}/v1/ops/clock", headers={"Authorization": f"Bearer {token}"}
    )
    for item in items:
        if "occurred_at" in item:
            item["occurred_at"] = clock.json()["now"]


def fuzz(service: str):
    schema = schemathesis.openapi.from_dict(openapi_document(service))
    # PostgreSQL cannot store NUL, so text with NUL is refused (a 422 the hostile tests
    # check); left in, every valid string could be one schemathesis expects accepted.
    schema.config.generation.update(allow_x00=False)

    @schema.parametrize()
    @schema.given(data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )
    def test(case, data, stack: ServiceStack, seeded: Seeded):
        # An admin whose subject is an engineer: /v1/me/assignments answers too, not only 403.
        token = stack.token(seeded.engineer_id, "admin")
        if isinstance(case.body, dict) and not case.meta.is_negative_at(ParameterLocation.BODY):
            usable_phone_times(case.body, stack, service, token)
        make_valid_data_usable(case, data, seeded)  # last: its keys are made from the body
        # A negative case without Authorization is about the missing token: keep it missing.
        missing_on_purpose = case.meta.is_negative_at(
            ParameterLocation.HEADER
        ) and "Authorization" not in (case.headers or {})
        headers = None if missing_on_purpose else {"Authorization": f"Bearer {token}"}
        if case.meta.is_negative_at(ParameterLocation.QUERY) and any(
            value in ([], {}) for value in (case.query or {}).values()
        ):
            # An empty list or object leaves no trace in a query string: the request sent is
            # not the negative one, and with the token replaced nothing negative is left.
            reject()
        case.call_and_validate(base_url=stack.url(service), headers=headers)

    return test


test_intake_answers_as_documented = fuzz("intake")
test_dispatch_answers_as_documented = fuzz("dispatch")
test_escalation_answers_as_documented = fuzz("escalation")
test_inventory_answers_as_documented = fuzz("inventory")


@pytest.mark.parametrize("service", SERVICES)
async def test_each_process_serves_the_document_that_was_fuzzed(stack: ServiceStack, service: str):
    async with httpx.AsyncClient(base_url=stack.url(service)) as anonymous:
        served = (await anonymous.get("/openapi.json")).json()
    assert served == openapi_document(service)


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_answer_is_documented_as_a_problem_document(service: str):
    document = openapi_document(service)
    assert "HTTPValidationError" not in json.dumps(document)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":
                    assert response["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/ProblemDetails"}
                        }
                    }, (method, path, status)
            # A route documented as needing no token (security: []) cannot answer 401 or 403.
            needs_token = operation.get("security") != []
            if path.startswith("/v1"):
                expected = {"401", "403", "422", "503"} if needs_token else {"422", "503"}
                assert expected <= set(operation["responses"]), (method, path)
            if method == "post":
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
