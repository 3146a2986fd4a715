"""Settings read from the environment: what each accepts, and what a refusal says."""

import pytest
from pydantic import ValidationError

from shared.settings import Settings


def test_sla_warnings_go_out_at_half_and_four_fifths_of_the_target_by_default(monkeypatch):
    monkeypatch.delenv("FIELDOPS_SLA_WARNING_FRACTIONS", raising=False)
    assert Settings().sla_warning_fractions == (0.5, 0.8)


def test_sla_warning_fractions_are_read_as_a_json_list(monkeypatch):
    monkeypatch.setenv("FIELDOPS_SLA_WARNING_FRACTIONS", "[0.25, 0.5, 0.9]")
    assert Settings().sla_warning_fractions == (0.25, 0.5, 0.9)


def test_an_empty_list_sends_no_warnings_at_all(monkeypatch):
    monkeypatch.setenv("FIELDOPS_SLA_WARNING_FRACTIONS", "[]")
    assert Settings().sla_warning_fractions == ()


@pytest.mark.parametrize(
    "given",
    ["[0]", "[1]", "[1.5]", "[-0.2]", "[0.8, 0.5]", "[0.5, 0.5]", "[0.5, 1.0]"],
)
def test_sla_warning_fractions_outside_zero_to_one_or_not_rising_are_refused(monkeypatch, given):
    monkeypatch.setenv("FIELDOPS_SLA_WARNING_FRACTIONS", given)
    with pytest.raises(ValidationError, match="FIELDOPS_SLA_WARNING_FRACTIONS"):
        Settings()


def test_sla_warning_fractions_that_are_not_json_numbers_are_refused(monkeypatch):
    monkeypatch.setenv("FIELDOPS_SLA_WARNING_FRACTIONS", '["half"]')
    with pytest.raises(ValidationError, match="sla_warning_fractions"):
        Settings()
