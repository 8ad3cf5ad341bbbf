"""Whole numbers as people type them: one parser for the return's pages and every import."""

import pytest

from common.forms import WholeNumberField
from common.numbers import parse_whole_number


@pytest.mark.parametrize(
    "typed, number",
    [("1200", 1200), ("1,200", 1200), ("1 200", 1200), (" 12 ", 12), ("1,200,000", 1_200_000), ("-4", -4)],
)
def test_counts_are_read_as_people_write_them(typed, number):
    assert parse_whole_number(typed) == number


@pytest.mark.parametrize("typed", ["12,00", "1,200 000", "1.5", "²", "١٢", "", "twelve"])
def test_anything_else_is_not_a_whole_number(typed):
    with pytest.raises(ValueError, match="is not a whole number"):
        parse_whole_number(typed)


def test_the_form_field_accepts_thousands_separators_and_keeps_its_own_messages():
    field = WholeNumberField(min_value=0, error_messages={"invalid": "Enter a whole number"})
    assert field.clean("1,200") == 1200
    with pytest.raises(Exception, match="Enter a whole number"):
        field.clean("12,00")
