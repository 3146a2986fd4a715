from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.events.envelope import Envelope, EnvelopeError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


def make(**overrides) -> Envelope:
    fields = dict(
        type="ticket.created",
        source="/fieldops/intake",
        subject=str(uuid4()),
        data={"a": 1},
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    return Envelope(**(fields | overrides))


def test_an_envelope_survives_the_kafka_binding_unchanged():
    sent = make(time=datetime(2026, 11, 25, 9, 30, tzinfo=UTC), dataversion=2)
    received = Envelope.from_record(sent.headers(), sent.value())
    assert received == sent


@given(data=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_any_json_object_payload_round_trips(data):
    sent = make(data=data)
    assert Envelope.from_record(sent.headers(), sent.value()).data == data


def test_the_binding_is_binary_mode_with_ce_headers_and_a_dataschema():
    headers = dict(make(dataversion=3).headers())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_dataschema"] == b"urn:fieldops:event:ticket.created:v3"
    assert headers["content-type"] == b"application/json"


@pytest.mark.parametrize("missing", ["ce_id", "ce_type", "ce_source", "ce_specversion"])
def test_a_record_without_a_required_attribute_is_not_an_event(missing):
    headers = [(k, v) for k, v in make().headers() if k != missing]
    with pytest.raises(EnvelopeError, match=missing):
        Envelope.from_record(headers, b"{}")


@pytest.mark.parametrize("value", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_a_payload_that_is_not_a_json_object_is_refused(value):
    with pytest.raises(EnvelopeError):
        Envelope.from_record(make().headers(), value)


def test_another_specversion_is_refused():
    headers = [(k, b"0.3" if k == "ce_specversion" else v) for k, v in make().headers()]
    with pytest.raises(EnvelopeError, match="specversion"):
        Envelope.from_record(headers, b"{}")
