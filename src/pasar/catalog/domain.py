"""The catalog's pure rules: GTINs, category paths, offer visibility and ranking, search
terms, sort keys, and the parsing of bulk offer rows. No I/O, no framework.

The SQL in `projection.py` and `search.py` mirrors these rules for millions of rows at a
time; the functions here are the readable statement of them, tested in `tests/unit/`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_CATEGORY_DEPTH = 8
MAX_IMPORT_ROWS = 10_000
DEFAULT_LOW_STOCK_THRESHOLD = 5
MAX_PRICE = 10**13


class Condition(StrEnum):
    NEW = "new"
    REFURBISHED = "refurbished"
    USED_LIKE_NEW = "used_like_new"
    USED_GOOD = "used_good"
    USED_ACCEPTABLE = "used_acceptable"


class FulfilledBy(StrEnum):
    SELLER = "seller"
    MARKETPLACE = "marketplace"


class OfferStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class ProductStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"


# --- GTIN -------------------------------------------------------------------------------

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (weights 3,1,3,… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(value: str) -> bool:
    """GTIN-8/12/13/14: all digits, a known length, and a correct check digit."""
    if not value.isascii() or not value.isdigit() or len(value) not in GTIN_LENGTHS:
        return False
    return gtin_check_digit(value[:-1]) == int(value[-1])


# --- categories -------------------------------------------------------------------------


def child_path(parent_path: str | None, category_id: int) -> str:
    """Materialised path: '/1/5/12/' — ancestors' ids, so a subtree is one prefix."""
    return f"{parent_path or '/'}{category_id}/"


def subtree_range(path: str) -> tuple[str, str]:
    """[low, high) bounds holding exactly the paths that start with `path`.

    A range instead of LIKE keeps the match index-backed on both databases whatever the
    collation. Paths end with '/', and '0' is the character after '/', so `high` sorts
    after every descendant ('/1/5/…') and before the next sibling ('/1/50/').
    """
    assert path.endswith("/")
    return path, path[:-1] + "0"


def path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# --- offers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """What ranking needs to know about one offer."""

    id: int
    price_amount: int
    active: bool
    seller_sellable: bool
    available: int


def is_visible(offer: OfferFacts) -> bool:
    """Buyers see an offer when it is active and its seller may sell (approved or warned)."""
    return offer.active and offer.seller_sellable


def is_in_stock(offer: OfferFacts) -> bool:
    return is_visible(offer) and offer.available > 0


def best_offer(offers: Iterable[OfferFacts]) -> OfferFacts | None:
    """The cheapest visible in-stock offer (lowest id on a tie), else the cheapest visible one."""
    visible = [o for o in offers if is_visible(o)]
    if not visible:
        return None
    return min(visible, key=lambda o: (0 if o.available > 0 else 1, o.price_amount, o.id))


# --- search -----------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TERMS = 8


def search_terms(q: str) -> list[str]:
    """The words of a query, lower-cased: safe to put in FTS5 or tsquery syntax.

    Punctuation (FTS5 and tsquery operators included) is dropped, so a buyer's quote or
    asterisk can never become a syntax error; at most a few words keep the query cheap.
    Accents are left to the database (FTS5's tokenizer folds them; PostgreSQL's 'simple'
    configuration keeps them).
    """
    return _WORD.findall(unicodedata.normalize("NFKC", q.lower()))[:MAX_SEARCH_TERMS]


def fts5_query(terms: Sequence[str]) -> str:
    """All words must match; the last one as a prefix (search as you type)."""
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(terms: Sequence[str]) -> str:
    parts = list(terms)
    parts[-1] += ":*"
    return " & ".join(parts)


def sort_key(sort: Sort, *, id: int, best_price: int | None, rank: float | None) -> list[Any]:
    """The values a cursor stores for a row; `id` always last, so the order is total."""
    if sort is Sort.NEWEST:
        return [id]
    if sort is Sort.RELEVANCE:
        return [rank, id]
    return [best_price, id]


def sort_arity(sort: Sort) -> int:
    return 1 if sort is Sort.NEWEST else 2


def slugify(text: str, *, max_length: int = 80) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-") or "item"


# --- bulk offer rows --------------------------------------------------------------------

ROW_FIELDS = frozenset(
    {
        "sku",
        "gtin",
        "price_amount",
        "currency",
        "condition",
        "seller_sku",
        "fulfilled_by",
        "status",
        "low_stock_threshold",
    }
)
#: Fields an update may change; left out (or blank in CSV) means "keep what is there".
MUTABLE_FIELDS = (
    "price_amount",
    "seller_sku",
    "fulfilled_by",
    "status",
    "low_stock_threshold",
)


class MalformedFile(ValueError):
    """The file as a whole cannot be read; no row of it is considered."""


@dataclass(frozen=True, slots=True)
class RowError:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class OfferRow:
    """A valid row: the variant key, the condition, and the fields it sets (others kept)."""

    index: int
    sku: str | None
    gtin: str | None
    condition: Condition
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RejectedRow:
    index: int
    errors: tuple[RowError, ...] = field(default_factory=tuple)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _int(value: Any, name: str, errors: list[RowError], *, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        errors.append(RowError(name, "must be a whole number"))
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,15}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        errors.append(RowError(name, "must be a whole number (minor units, no decimals)"))
        return None
    if not low <= value <= high:
        errors.append(RowError(name, f"must be between {low} and {high}"))
        return None
    return value


def _choice(value: Any, name: str, enum: type[StrEnum], errors: list[RowError]) -> Any:
    text = str(value).strip().lower()
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        errors.append(RowError(name, f"must be one of: {allowed}"))
        return None


def parse_offer_row(index: int, raw: Any, *, currency: str) -> OfferRow | RejectedRow:
    """Validate one import row; every problem is reported, not just the first."""
    if not isinstance(raw, Mapping):
        return RejectedRow(index, (RowError("row", "must be an object"),))
    errors: list[RowError] = []
    given = {k: v for k, v in raw.items() if not _blank(v)}
    errors.extend(RowError(str(k), "is not a known field") for k in given if k not in ROW_FIELDS)
    sku = str(given["sku"]).strip() if "sku" in given else None
    gtin = str(given["gtin"]).strip() if "gtin" in given else None
    if sku is None and gtin is None:
        errors.append(RowError("sku", "give the variant's sku or gtin"))
    if sku is not None and len(sku) > 64:
        errors.append(RowError("sku", "must be at most 64 characters"))
    if gtin is not None and not is_valid_gtin(gtin):
        errors.append(RowError("gtin", "is not a valid GTIN (8, 12, 13 or 14 digits)"))
    values: dict[str, Any] = {}
    if "price_amount" in given:
        values["price_amount"] = _int(
            given["price_amount"], "price_amount", errors, low=0, high=MAX_PRICE
        )
    else:
        errors.append(RowError("price_amount", "is required"))
    if "currency" in given and str(given["currency"]).strip().upper() != currency:
        errors.append(RowError("currency", f"offers are priced in {currency}"))
    condition = Condition.NEW
    if "condition" in given:
        condition = _choice(given["condition"], "condition", Condition, errors) or condition
    if "fulfilled_by" in given:
        values["fulfilled_by"] = _choice(given["fulfilled_by"], "fulfilled_by", FulfilledBy, errors)
    if "status" in given:
        values["status"] = _choice(given["status"], "status", OfferStatus, errors)
    if "low_stock_threshold" in given:
        values["low_stock_threshold"] = _int(
            given["low_stock_threshold"], "low_stock_threshold", errors, low=0, high=10**6
        )
    if "seller_sku" in given:
        seller_sku = str(given["seller_sku"]).strip()
        if len(seller_sku) > 64:
            errors.append(RowError("seller_sku", "must be at most 64 characters"))
        values["seller_sku"] = seller_sku
    if errors:
        return RejectedRow(index, tuple(errors))
    return OfferRow(index, sku, gtin, condition, values)


def parse_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV with a header line; a bad encoding or header refuses the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedFile("The CSV file is not UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise MalformedFile("The CSV file has no header line.")
    unknown = sorted(set(header) - ROW_FIELDS)
    if unknown:
        raise MalformedFile(f"Unknown CSV columns: {', '.join(unknown)}.")
    if "price_amount" not in header or not {"sku", "gtin"} & set(header):
        raise MalformedFile("The CSV header needs price_amount and sku or gtin.")
    if len(set(header)) != len(header):
        raise MalformedFile("The CSV header repeats a column.")
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    try:
        for record in reader:
            if None in record:
                raise MalformedFile(f"CSV line {reader.line_num} has more cells than the header.")
            rows.append({k: v for k, v in record.items() if v is not None})
            if len(rows) > MAX_IMPORT_ROWS:
                raise MalformedFile(f"At most {MAX_IMPORT_ROWS} rows per import.")
    except csv.Error as exc:
        raise MalformedFile(f"The CSV file cannot be read: {exc}.") from None
    return rows


def merge_offer(existing: Mapping[str, Any], row: OfferRow) -> dict[str, Any]:
    """The fields of an existing offer that `row` changes (empty: the row is a no-op)."""
    return {k: v for k, v in row.values.items() if existing.get(k) != v}


def cursor_is_valid(sort: Sort, values: Sequence[Any]) -> bool:
    """A cursor's values have the types its sort stores, so a forged one is refused, not run."""

    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if len(values) != sort_arity(sort) or not whole(values[-1]):
        return False
    if sort is Sort.RELEVANCE:
        return isinstance(values[0], int | float) and not isinstance(values[0], bool)
    if sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        return whole(values[0])
    return True
