from decimal import Decimal

import pytest

from common.money import format_money
from common.templatetags.govuk import money


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (50, "£50.00"),
        (Decimal("50.000"), "£50.00"),
        (Decimal("4860"), "£4,860.00"),
        (Decimal("498.775"), "£498.78"),
        ("1234567.5", "£1,234,567.50"),
        (Decimal("-12.5"), "-£12.50"),
        (0, "£0.00"),
    ],
)
def test_money_is_written_one_way(value, written):
    assert format_money(value) == written


def test_the_template_filter_leaves_an_empty_value_empty():
    assert money(None) == ""
    assert money(Decimal("75")) == "£75.00"
