"""How money is written, everywhere: pages, emails, CSV-free prose, PDFs.

One form only: a pound sign, thousands separators and pence, "£4,860.00" and "£50.00". Charges,
prices, invoices, report figures and emails all call `format_money` (templates use the `money`
filter of `govuk`), so a charge reads the same in the email, on the charges list and on the invoice.
"""

from decimal import ROUND_HALF_UP, Decimal


def format_money(value) -> str:
    """12 -> "£12.00"; Decimal("4860") -> "£4,860.00"; -5 -> "-£5.00"."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
