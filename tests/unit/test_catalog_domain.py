"""catalog's pure rules: GTINs, category paths, best offer, search terms, import rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.catalog.domain import (
    Condition,
    MalformedFile,
    OfferFacts,
    OfferRow,
    RejectedRow,
    Sort,
    best_offer,
    child_path,
    cursor_is_valid,
    fts5_query,
    gtin_check_digit,
    is_valid_gtin,
    merge_offer,
    parse_csv,
    parse_offer_row,
    search_terms,
    slugify,
    subtree_range,
    tsquery,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@pytest.mark.parametrize("gtin", ["4006381333931", "96385074", "036000291452", "00012345600012"])
def test_real_gtins_are_valid(gtin: str) -> None:
    """Published GTIN-8/12/13/14 examples pass the check digit."""
    assert is_valid_gtin(gtin)


@pytest.mark.parametrize("gtin", ["4006381333932", "123", "40063813339a1", "", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_malformed_gtins_are_invalid(gtin: str) -> None:
    """Wrong check digit, wrong length, letters and non-ASCII digits fail."""
    assert not is_valid_gtin(gtin)


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_appending_the_check_digit_makes_a_valid_gtin(body: str) -> None:
    """Any body plus its computed check digit is valid; any other last digit is not."""
    assert is_valid_gtin(body + str(gtin_check_digit(body)))
    wrong = (gtin_check_digit(body) + 1) % 10
    assert not is_valid_gtin(body + str(wrong))


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=5), st.integers(1, 10**6))
def test_subtree_range_holds_exactly_the_descendants(ancestors: list[int], other: int) -> None:
    """Every descendant path lies in the range; siblings that share a digit prefix do not."""
    path = None
    for node in ancestors:
        path = child_path(path, node)
    assert path is not None
    low, high = subtree_range(path)
    assert low <= path < high
    assert low <= child_path(path, other) < high
    sibling = path[:-1] + str(other % 10) + "/"
    assert not (low <= sibling < high)


offers = st.builds(
    OfferFacts,
    id=st.integers(1, 50),
    price_amount=st.integers(0, 1000),
    active=st.booleans(),
    seller_sellable=st.booleans(),
    available=st.integers(0, 3),
)


@given(st.lists(offers, max_size=8, unique_by=lambda o: o.id))
def test_best_offer_is_the_cheapest_visible_preferring_stock(candidates: list[OfferFacts]) -> None:
    """Only visible offers win; an in-stock one beats any out-of-stock one; ties go to lowest id."""
    best = best_offer(candidates)
    visible = [o for o in candidates if o.active and o.seller_sellable]
    if not visible:
        assert best is None
        return
    assert best in visible
    stocked = [o for o in visible if o.available > 0]
    pool = stocked or visible
    assert (best.price_amount, best.id) == min((o.price_amount, o.id) for o in pool)


@given(st.text(max_size=60))
def test_search_terms_never_carry_query_syntax(q: str) -> None:
    """Whatever a buyer types, the FTS5 and tsquery strings hold only quoted words."""
    terms = search_terms(q)
    for term in terms:
        assert term.isalnum() or "_" in term
    if terms:
        assert fts5_query(terms).count('"') == 2 * len(terms)
        assert tsquery(terms).endswith(":*")


def test_cursor_values_must_match_the_sort() -> None:
    """A forged cursor with the wrong types is refused rather than run."""
    assert cursor_is_valid(Sort.PRICE_ASC, [100, 3])
    assert cursor_is_valid(Sort.RELEVANCE, [-1.5, 3])
    assert cursor_is_valid(Sort.NEWEST, [3])
    assert not cursor_is_valid(Sort.PRICE_ASC, ["100", 3])
    assert not cursor_is_valid(Sort.NEWEST, [True])
    assert not cursor_is_valid(Sort.PRICE_DESC, [1])


def test_slugify_is_ascii_and_never_empty() -> None:
    """Slugs fold accents and punctuation, and something always remains."""
    assert slugify("Café Crème — 2 L") == "cafe-creme-2-l"
    assert slugify("!!!") == "item"


def test_a_valid_row_sets_only_the_fields_it_gives() -> None:
    """Blank cells are 'keep what is there'; condition defaults to new."""
    row = parse_offer_row(1, {"sku": "A", "price_amount": "250", "seller_sku": ""}, currency="USD")
    assert isinstance(row, OfferRow)
    assert row.condition is Condition.NEW
    assert dict(row.values) == {"price_amount": 250}
    assert merge_offer({"price_amount": 250}, row) == {}
    assert merge_offer({"price_amount": 300}, row) == {"price_amount": 250}


def test_a_bad_row_reports_every_problem() -> None:
    """Each faulty field is named, not only the first."""
    row = parse_offer_row(
        4,
        {"price_amount": 1.5, "currency": "EUR", "condition": "mint", "colour": "red"},
        currency="USD",
    )
    assert isinstance(row, RejectedRow)
    assert row.index == 4
    assert {e.field for e in row.errors} == {
        "sku",
        "price_amount",
        "currency",
        "condition",
        "colour",
    }


def test_gtin_rows_need_a_valid_check_digit() -> None:
    """A row naming its variant by GTIN must give a real GTIN."""
    row = parse_offer_row(1, {"gtin": "4006381333932", "price_amount": 1}, currency="USD")
    assert isinstance(row, RejectedRow)
    assert row.errors[0].field == "gtin"


def test_csv_reads_rows_and_refuses_bad_files() -> None:
    """A good CSV gives dict rows; bad encoding, header or shape refuses the file."""
    assert parse_csv(b"\xef\xbb\xbfsku,price_amount\nA,1\n") == [{"sku": "A", "price_amount": "1"}]
    for data in (
        b"",
        b"sku,colour\nA,red\n",
        b"condition,price_amount\nnew,1\n",
        b"sku,price_amount\nA,1,extra\n",
        "sku,price_amount\nÉ,1\n".encode("latin-1"),
        b"sku,sku,price_amount\nA,B,1\n",
    ):
        with pytest.raises(MalformedFile):
            parse_csv(data)
