"""Card number rules: normalising, the Luhn check, brand detection, expiry. Pure.

Only the brand and the last four digits ever leave the request: the full number is held
in memory just long enough to reach the provider.
"""

from __future__ import annotations

from datetime import datetime

MIN_DIGITS = 12
MAX_DIGITS = 19


def normalise_number(raw: str) -> str:
    """Strip the spaces people type; raise ValueError unless 12-19 digits remain."""
    number = raw.replace(" ", "")
    if not number.isascii() or not number.isdigit():
        raise ValueError("a card number has only digits (spaces allowed)")
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise ValueError(f"a card number has {MIN_DIGITS} to {MAX_DIGITS} digits")
    return number


def luhn_valid(number: str) -> bool:
    """The ISO/IEC 7812 check digit: catches typos before anything reaches a provider."""
    if not number.isascii() or not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The scheme from the issuer prefix; "unknown" if none of the common ones matches."""
    two, four, six = int(number[:2]), int(number[:4]), int(number[:6])
    if number.startswith("4"):
        return "visa"
    if 51 <= two <= 55 or 222100 <= six <= 272099:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if four == 6011 or two == 65 or 644 <= int(number[:3]) <= 649:
        return "discover"
    if 3528 <= four <= 3589:
        return "jcb"
    if two == 62:
        return "unionpay"
    if two in (36, 38) or 300 <= int(number[:3]) <= 305:
        return "diners"
    return "unknown"


def is_expired(exp_month: int, exp_year: int, now: datetime) -> bool:
    """A card is good through the last day of its expiry month."""
    return (exp_year, exp_month) < (now.year, now.month)
