"""The storefront: browse, search, product page, cart, one-page guest checkout, orders.

A client of the modules' public services, like the JSON API: every page reads through
the same functions the API routers call, every form posts to a handler that calls one
service and redirects (POST/redirect/GET), and every rule stays in its module. The cart
token lives in the signed session; a guest's order opens with its access link. A buyer
who is signed in checks out as themselves (as the API does with their bearer token), so
the order is theirs and shows under /account/orders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any

from babel import Locale
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pasar import catalog, checkout, fulfillment, identity, orders, payments
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import DomainError
from pasar.platform.money import minor_units
from pasar.platform.ratelimit import RateLimiter
from pasar.platform.time import utcnow
from pasar.platform.types import Id
from pasar.web.auth import web_principal
from pasar.web.forms import field_errors, safe_next, text
from pasar.web.i18n import COOKIE as LANG_COOKIE
from pasar.web.i18n import LOCALES, N_
from pasar.web.routing import WebRoute
from pasar.web.security import WebSession, is_secure_context
from pasar.web.templating import page, translate

router = APIRouter(include_in_schema=False, route_class=WebRoute)

Now = Annotated[datetime, Depends(checkout.checkout_clock)]
Config = Annotated[checkout.CheckoutConfig, Depends(checkout.checkout_config)]
PAGE_SIZE = 24
MAX_OFFERS_SHOWN = 50
SORTS = {
    "relevance": N_("Best match"),
    "newest": N_("Newest"),
    "price_asc": N_("Price: low to high"),
    "price_desc": N_("Price: high to low"),
}
PAYMENT_METHODS = {
    "card": N_("Card"),
    "bank_transfer": N_("Bank transfer"),
    "cod": N_("Cash on delivery"),
}
STATUS_LABELS = {
    "received": N_("Waiting for payment"),
    "verified": N_("Confirmed"),
    "processing": N_("Being packed"),
    "shipped": N_("On its way"),
    "delivered": N_("Delivered"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "delivery_failed": N_("Delivery failed"),
    "returned_to_seller": N_("Returned to the seller"),
}
#: What a field needs, said kindly; the service's own message is used for the rest.
FIELD_HINTS = {
    "email": N_("Enter an email address such as name@example.com."),
    "phone": N_("Enter a mobile number with 7 to 15 digits, such as +62 812 3456 7890."),
    "name": N_("Enter the name of the person receiving the parcel."),
    "line1": N_("Enter the street and house number."),
    "city": N_("Enter the city."),
    "region": N_("Enter the province or region."),
    "postal_code": N_("Enter the postal code."),
    "country": N_("Choose a country."),
    "card_number": N_("Check the card number: 12 to 19 digits."),
    "card_cvc": N_("Enter the 3 or 4 digit security code."),
}
ADDRESS_MOVED = N_(
    "Your address changed: check the delivery options and the total, then place the order."
)
#: Not countries (Babel also names regions and groupings with two letters).
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"})
CONTACT_FIELDS = (
    "email",
    "phone",
    "name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
)
SEE_OTHER = 303


def _web(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=SEE_OTHER)


def _currency(request: Request) -> str:
    return str(request.app.state.settings.currency)


async def _signed_in_buyer(request: Request, session: AsyncSession) -> Principal | None:
    """The buyer signed in to this browser (one indexed lookup, cached per request), or
    None for a guest; seller staff and operators shop as guests."""
    signed_in = await web_principal(request, session)
    if signed_in is None or signed_in.role is not Role.BUYER or signed_in.user_id is None:
        return None
    return signed_in


async def _account_contact(session: AsyncSession, buyer: Principal | None) -> dict[str, str]:
    """What the buyer's account already says about them: email, name, phone."""
    if buyer is None or buyer.user_id is None:
        return {}
    user = await identity.get_user(session, buyer.user_id)
    found = {"email": user.email, "name": user.name, "phone": user.phone or ""}
    return {key: value for key, value in found.items() if value}


# --- browsing ----------------------------------------------------------------------------


@router.get("/")
async def home(request: Request, session: Session) -> Response:
    categories = await catalog.list_categories(
        session, parent_id=None, roots_only=True, limit=50, cursor=None
    )
    products = await catalog.list_products(session, in_stock=True, limit=12)
    return page(
        request,
        "storefront/home.html",
        categories=categories.items,
        products=products.items,
    )


@dataclass
class Filters:
    """The search form as typed (strings), and what the catalog is asked (typed)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _price(value: str | None, places: int) -> int | None:
    """A price typed in major units ("12.50") in minor units (1250); None when blank."""
    if not value or not value.strip():
        return None
    amount = Decimal(value.strip().replace(",", "."))
    if not amount.is_finite() or amount < 0 or amount > 10**11:
        raise InvalidOperation
    return int((amount.scaleb(places)).to_integral_value())


@router.get("/search")
async def search(
    request: Request,
    session: Session,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    min_price: Annotated[str | None, Query(max_length=20)] = None,
    max_price: Annotated[str | None, Query(max_length=20)] = None,
    in_stock: Annotated[str | None, Query(max_length=5)] = None,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    q = (q or "").strip() or None
    chosen_sort = sort if sort in SORTS else ("relevance" if q else "newest")
    if chosen_sort == "relevance" and not q:
        chosen_sort = "newest"
    values = {
        "q": q or "",
        "category": category or "",
        "min_price": min_price or "",
        "max_price": max_price or "",
        "in_stock": "1" if in_stock else "",
        "sort": chosen_sort,
    }
    errors: dict[str, str] = {}
    places = minor_units(_currency(request))
    prices: dict[str, int | None] = {}
    for name, raw in (("min_price", min_price), ("max_price", max_price)):
        try:
            prices[name] = _price(raw, places)
        except (InvalidOperation, ValueError):
            prices[name] = None
            errors[name] = translate(request, N_("Type a price such as 25 or 12.50."))
    category_id = int(category) if category and category.isdigit() else None
    categories = await catalog.list_categories(
        session, parent_id=None, roots_only=False, limit=200, cursor=None
    )
    products: list[Any] = []
    next_cursor = None
    try:
        found = await catalog.list_products(
            session,
            q=q,
            category_id=category_id,
            min_price=prices["min_price"],
            max_price=prices["max_price"],
            in_stock=bool(in_stock),
            sort=catalog.Sort(chosen_sort),
            limit=PAGE_SIZE,
            cursor=cursor or None,
        )
        products, next_cursor = found.items, found.next_cursor
    except DomainError as exc:
        errors[exc.field or "q"] = exc.detail
    return page(
        request,
        "storefront/search.html",
        status_code=422 if errors else 200,
        filters=values,
        errors=errors,
        categories=categories.items,
        category_names={c.id: c.name for c in categories.items},
        sorts=SORTS,
        products=products,
        next_cursor=next_cursor,
    )


#: The session key of the region a buyer chose on a product page ("Deliver to").
DELIVER_TO = "deliver_to"


def _deliver_to(web: WebSession, config: checkout.CheckoutConfig) -> checkout.Destination | None:
    """The region chosen in this session, else the country's first (capital) region."""
    regions = checkout.delivery_regions(config.country)
    chosen = web.get(DELIVER_TO)
    return next((r for r in regions if r.region == chosen), regions[0] if regions else None)


@router.get("/products/{product_id}")
async def product_page(
    product_id: Id,
    request: Request,
    session: Session,
    config: Config,
    now: Now,
    variant: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    product = await catalog.get_product(session, product_id=product_id, principal=None)
    offers = await catalog.list_product_offers(
        session, product_id=product_id, limit=MAX_OFFERS_SHOWN, cursor=None
    )
    variant_ids = [v.id for v in product.variants]
    best = product.best_offer
    if variant not in variant_ids:
        variant = best.variant_id if best is not None else variant_ids[0]
    mine = [o for o in offers.items if o.variant_id == variant]
    # The buy box: the catalog's best offer when it is for this variant, else this
    # variant's first offer in stock (the list is cheapest first).
    featured = next((o for o in mine if best is not None and o.id == best.id), None) or next(
        (o for o in mine if o.in_stock), None
    )
    others = [o for o in mine if featured is None or o.id != featured.id]
    deliver_to = _deliver_to(_web(request), config)
    promises = (
        await checkout.offer_promises(
            session, [o.id for o in mine], deliver_to, config=config, now=now
        )
        if deliver_to is not None and mine
        else {}
    )
    scores = await fulfillment.seller_on_time_rates(
        session, {o.seller.id for o in mine}, fulfillment.score_window_start(now)
    )
    return page(
        request,
        "storefront/product.html",
        product=product,
        selected=variant,
        featured=featured,
        others=others,
        more_offers=offers.next_cursor is not None,
        regions=checkout.delivery_regions(config.country),
        deliver_to=deliver_to,
        promises=promises,
        scores=scores,
    )


@router.post("/deliver-to")
async def choose_region(request: Request, config: Config) -> Response:
    """Remember the region product pages promise delivery to; back to the page."""
    form = await request.form()
    region = text(form, "region")
    if any(r.region == region for r in checkout.delivery_regions(config.country)):
        _web(request).set(DELIVER_TO, region)
    return _redirect(safe_next(text(form, "next")))


# --- cart --------------------------------------------------------------------------------


def _count(cart: checkout.PricedCart) -> int:
    return sum(line.quantity for line in cart.lines)


def _remember(web: WebSession, cart: checkout.PricedCart | None) -> None:
    if cart is None or cart.status != "open":
        web.set("cart", None)
        web.set("cart_count", None)
    else:
        web.set("cart", cart.token)
        web.set("cart_count", _count(cart) or None)


async def _open_cart(
    session: AsyncSession, web: WebSession, config: checkout.CheckoutConfig, now: datetime
) -> checkout.PricedCart | None:
    """The session's cart, priced; None (and forgotten) when it is gone or was ordered."""
    token = web.get("cart")
    if not isinstance(token, str):
        return None
    try:
        cart = await checkout.price_cart(session, token, principal=None, config=config, now=now)
    except checkout.CartNotFound:
        cart = None
    _remember(web, cart)
    return cart if cart is not None and cart.status == "open" else None


def _quantity(form: FormData, default: int = 1) -> int:
    raw = form.get("quantity")
    if isinstance(raw, str) and raw.strip().isdigit():
        return min(int(raw.strip()), 2**31 - 1)
    return default


@router.post("/cart/lines")
async def add_to_cart(request: Request, session: Session, config: Config, now: Now) -> Response:
    form = await request.form()
    offer = text(form, "offer_id")
    if not offer.isdigit():
        return _redirect("/cart")
    web = _web(request)
    cart = await _open_cart(session, web, config, now)
    if cart is None:
        cart, _ = await checkout.create_cart(
            session, principal=None, config=config, now=now, idempotency_key=None
        )
    cart = await checkout.add_line(
        session,
        cart.token,
        principal=None,
        offer_id=int(offer),
        quantity=_quantity(form),
        config=config,
        now=now,
        idempotency_key=None,
    )
    _remember(web, cart)
    web.flash(translate(request, N_("Added to your cart.")))
    return _redirect("/cart")


@router.get("/cart")
async def cart_page(request: Request, session: Session, config: Config, now: Now) -> Response:
    cart = await _open_cart(session, _web(request), config, now)
    return page(request, "storefront/cart.html", cart=cart)


@router.post("/cart/lines/{line_id}")
async def change_cart_line(
    line_id: Id, request: Request, session: Session, config: Config, now: Now
) -> Response:
    form = await request.form()
    web = _web(request)
    token = web.get("cart")
    if not isinstance(token, str):
        return _redirect("/cart")
    remove = text(form, "action") == "remove" or _quantity(form, default=0) == 0
    cart = await checkout.change_line(
        session,
        token,
        principal=None,
        line_id=line_id,
        quantity=None if remove else _quantity(form),
        config=config,
        now=now,
    )
    _remember(web, cart)
    return _redirect("/cart")


# --- checkout ----------------------------------------------------------------------------


@cache
def country_choices(locale: str) -> list[tuple[str, str]]:
    """Every country as (code, name in the language), by name: the address forms' select."""
    names = Locale.parse(locale).territories
    found = [(c, n) for c, n in names.items() if len(c) == 2 and c.isalpha()]
    return sorted(((c, n) for c, n in found if c not in NOT_COUNTRIES), key=lambda pair: pair[1])


def friendly_errors(request: Request, errors: dict[str, str]) -> dict[str, str]:
    """Address fields' errors said kindly, in the buyer's language (checkout, address book)."""
    return {
        name: translate(request, FIELD_HINTS[name]) if name in FIELD_HINTS else message
        for name, message in errors.items()
    }


#: The fields a saved address fills in on the checkout form.
SAVED_FIELDS = ("name", "phone", "line1", "line2", "city", "region", "postal_code", "country")
BOOK_FULL = N_("Your address book is full (%(limit)s addresses), so this address was not saved.")


@dataclass(frozen=True)
class AddressChoices:
    """A signed-in buyer's saved addresses at checkout; a guest has none and sees nothing new."""

    signed_in: bool = False
    addresses: tuple[checkout.SavedAddressRead, ...] = ()


async def _address_choices(session: AsyncSession, buyer: Principal | None) -> AddressChoices:
    if buyer is None or buyer.user_id is None:
        return AddressChoices()
    book = await checkout.list_addresses(session, user_id=buyer.user_id)
    return AddressChoices(signed_in=True, addresses=tuple(book))


def saved_values(address: checkout.SavedAddressRead) -> dict[str, str]:
    return {name: getattr(address, name) or "" for name in SAVED_FIELDS}


def _contact_values(cart: checkout.PricedCart) -> dict[str, str]:
    contact = cart.contact
    if contact is None:
        return {"country": "ID", "language": "", "sms_updates": ""}
    values = {name: getattr(contact, name) or "" for name in CONTACT_FIELDS}
    values["language"] = contact.language or ""
    values["sms_updates"] = "1" if contact.sms_updates else ""
    return values


def _checkout_page(
    request: Request,
    cart: checkout.PricedCart,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    account: dict[str, str] | None = None,
    prefill: dict[str, str] | None = None,
    saved: AddressChoices | None = None,
) -> Response:
    shown = values if values is not None else {**_contact_values(cart), "payment": "card"}
    shown.update(prefill or {})  # a saved address the buyer chose (or their default)
    for name, value in (account or {}).items():  # a signed-in buyer's details, if blank
        if not shown.get(name):
            shown[name] = value
    for group in cart.groups:
        key = f"delivery_{group.seller_id}"
        if key not in shown and group.chosen is not None:
            shown[key] = group.chosen.service
    saved = saved or AddressChoices()
    current = next(
        (
            a.id
            for a in saved.addresses
            if all(shown.get(name, "") == value for name, value in saved_values(a).items())
        ),
        None,
    )
    return page(
        request,
        "storefront/checkout.html",
        status_code=status_code,
        cart=cart,
        values=shown,
        errors=errors or {},
        payment_methods=PAYMENT_METHODS,
        idempotency_key=uuid.uuid4().hex,
        years=range(utcnow().year, utcnow().year + 15),
        countries=country_choices(request.state.locale),
        sandbox=bool(request.app.state.settings.payments_sandbox),
        saved=saved,
        current_address=current,
    )


@router.get("/checkout")
async def checkout_page(
    request: Request,
    session: Session,
    config: Config,
    now: Now,
    address: Annotated[Id | None, Query(description="A saved address to deliver to.")] = None,
) -> Response:
    """A signed-in buyer's form starts from their default saved address (or the one picked
    with `?address=`, a plain link per saved address); someone else's id is ignored."""
    cart = await _open_cart(session, _web(request), config, now)
    if cart is None or not cart.groups:
        return _redirect("/cart")
    buyer = await _signed_in_buyer(request, session)
    saved = await _address_choices(session, buyer)
    chosen = next((a for a in saved.addresses if a.id == address), None)
    account = None
    if cart.contact is None:
        account = await _account_contact(session, buyer)
        if chosen is None:
            chosen = next((a for a in saved.addresses if a.is_default), None)
    prefill = saved_values(chosen) if chosen is not None else None
    return _checkout_page(request, cart, account=account, prefill=prefill, saved=saved)


def _payment(form: FormData) -> dict[str, Any]:
    method = text(form, "payment")
    body: dict[str, Any] = {"method": method}
    if method == "card":
        body["card"] = {
            "number": text(form, "card_number"),
            "exp_month": text(form, "card_exp_month"),
            "exp_year": text(form, "card_exp_year"),
            "cvc": text(form, "card_cvc"),
            "holder": text(form, "card_holder") or None,
        }
    return body


PAYMENT_FIELDS = {
    "payment.method": "payment",
    "payment.card": "card_number",
    "payment.card.number": "card_number",
    "payment.card.exp_month": "card_exp_month",
    "payment.card.exp_year": "card_exp_year",
    "payment.card.cvc": "card_cvc",
    "payment.card.holder": "card_holder",
}


async def _keep_address(
    request: Request, session: AsyncSession, user_id: int, contact: checkout.Contact, now: datetime
) -> str | None:
    """Keep the address when the buyer ticked "Save this address to my account": after the
    order is placed, which stands even when the book is full (the buyer is told instead)."""
    try:
        await checkout.save_contact(session, user_id=user_id, contact=contact, now=now)
    except checkout.AddressBookFull:
        await session.rollback()
        return translate(request, BOOK_FULL, limit=checkout.MAX_ADDRESSES)
    return None


@router.post("/checkout")
async def submit_checkout(request: Request, session: Session, config: Config, now: Now) -> Response:
    """One form, two buttons: `update` saves the address and shows its delivery options;
    `place` also chooses delivery and places the order. Errors come back inline."""
    form = await request.form()
    web = _web(request)
    cart = await _open_cart(session, web, config, now)
    if cart is None or not cart.groups:
        return _redirect("/cart")
    values = {key: text(form, key) for key in form if key != "card_number" and key != "card_cvc"}
    errors: dict[str, str] = {}

    contact_body: dict[str, Any] = {name: text(form, name) for name in CONTACT_FIELDS}
    buyer = await _signed_in_buyer(request, session)
    saved = await _address_choices(session, buyer)
    if buyer is not None and not (contact_body["email"] and contact_body["name"]):
        for name, value in (await _account_contact(session, buyer)).items():
            if name in ("email", "name") and not contact_body[name]:
                contact_body[name] = values[name] = value
    contact_body["line2"] = contact_body["line2"] or None
    contact_body["language"] = text(form, "language") or None
    contact_body["sms_updates"] = text(form, "sms_updates") == "1"
    try:
        contact = checkout.AddressUpdate.model_validate(contact_body).contact()
    except ValidationError as exc:
        errors.update(friendly_errors(request, field_errors(exc)))
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=422, saved=saved
        )
    moved = contact != cart.contact  # a new address may bring other options and prices
    try:
        if moved:
            cart = await checkout.set_contact(
                session, cart.token, principal=None, contact=contact, config=config, now=now
            )
        choices = []
        for group in cart.groups:
            wanted = text(form, f"delivery_{group.seller_id}")
            services = {o.service for o in group.options}
            chosen = group.chosen.service if group.chosen is not None else None
            if wanted in services and wanted != chosen:
                choices.append((group.seller_id, wanted))
        if choices:
            cart = await checkout.choose_delivery(
                session, cart.token, principal=None, choices=choices, config=config, now=now
            )
    except DomainError as exc:
        errors[exc.field or "form"] = exc.detail
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=exc.status, saved=saved
        )
    for group in cart.groups:
        if group.chosen is not None:
            values[f"delivery_{group.seller_id}"] = group.chosen.service

    if text(form, "action") != "place":
        return _checkout_page(request, cart, values=values, saved=saved)
    missing = [g for g in cart.groups if g.options and g.chosen is None]
    for group in missing:
        errors[f"delivery_{group.seller_id}"] = translate(
            request, N_("Choose how %(seller)s delivers."), seller=group.seller_name
        )
    if not cart.ready:
        if not missing:
            errors["form"] = " ".join(cart.blockers)
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=422, saved=saved
        )
    if moved:
        errors["total"] = translate(request, ADDRESS_MOVED)
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=409, saved=saved
        )
    # The buyer saw the total, or (choosing delivery now) each option's price beside it;
    # otherwise a changed total (a price moved meanwhile) is shown before anyone pays it.
    if not choices and text(form, "expected_total") != str(cart.grand_total):
        errors["total"] = translate(
            request, N_("Your total has changed. Check it and place the order again.")
        )
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=409, saved=saved
        )
    try:
        body = checkout.PlaceOrder.model_validate(
            {"payment": _payment(form), "expected_total": cart.grand_total}
        )
    except ValidationError as exc:
        errors.update(friendly_errors(request, field_errors(exc, PAYMENT_FIELDS)))
        return _checkout_page(
            request, cart, values=values, errors=errors, status_code=422, saved=saved
        )
    settings = request.app.state.settings
    key = text(form, "idempotency_key")
    try:
        placed = await checkout.place_order(
            session,
            cart.token,
            body,
            principal=buyer,
            config=config,
            payment_config=payments.PaymentConfig.from_settings(settings),
            secret=settings.secret,
            idempotency_key=key[:255] or None,
            now=now,
        )
    except DomainError as exc:
        field_name = PAYMENT_FIELDS.get(exc.field or "", "payment" if exc.status == 402 else "form")
        errors[field_name] = exc.detail
        fresh = await _open_cart(session, web, config, now)
        if fresh is None:
            return _redirect("/cart")
        return _checkout_page(
            request, fresh, values=values, errors=errors, status_code=exc.status, saved=saved
        )
    _remember(web, None)
    note = None
    if buyer is not None and buyer.user_id is not None and text(form, "save_address") == "1":
        note = await _keep_address(request, session, buyer.user_id, contact, now)
    challenge = _challenge_page(placed["payment"].get("next_action"))
    if challenge is not None:  # 3-D Secure: the bank's page first, then the order
        if note:
            web.flash(note)
        return _redirect(challenge)
    thanks = translate(request, N_("Thank you! Your order is placed."))
    web.flash(f"{thanks} {note}" if note else thanks)
    if buyer is not None:  # their own order: no access link in the address bar
        return _redirect(f"/orders/{placed['number']}?placed=1")
    return _redirect(str(placed["order_url"]) + "&placed=1")


# --- 3-D Secure ----------------------------------------------------------------------------

CHALLENGE_PREFIX = payments.CHALLENGE_PATH.split("{", 1)[0]
ChallengeToken = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _challenge_page(next_action: Any) -> str | None:
    """Where a payment's `next_action` sends the buyer: the sandbox's challenge (an API
    address) becomes its web page here; another provider's page is used as it is."""
    if not isinstance(next_action, dict):
        return None
    url = next_action.get("url")
    if not isinstance(url, str) or not url:
        return None
    if url.startswith(CHALLENGE_PREFIX):
        return "/pay/challenge/" + url[len(CHALLENGE_PREFIX) :].strip("/")
    return url


@router.get("/pay/challenge/{token}")
async def challenge_page(token: ChallengeToken, request: Request, session: Session) -> Response:
    """The sandbox bank's 3-D Secure page: the buyer approves or refuses the payment."""
    challenge = await payments.describe_challenge(session, token)
    response = page(request, "storefront/challenge.html", challenge=challenge, token=token)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.post("/pay/challenge/{token}")
async def answer_challenge(
    token: ChallengeToken, request: Request, session: Session, config: Config, now: Now
) -> Response:
    """Pass or fail, then back to the order (the challenge token, which only the payer
    holds, stands for the order's access link)."""
    form = await request.form()
    passed = text(form, "outcome") == "pass"
    answered = await payments.answer_challenge(session, token=token, passed=passed, now=utcnow())
    web = _web(request)
    found = orders.access_for(request.app.state.settings.secret, answered.reference)
    if answered.status == "authorised":
        web.flash(translate(request, N_("Thank you! Your payment is confirmed.")))
    else:
        await _cart_again(request, session, found.number, found.access_token, config, now)
        refused = translate(
            request, N_("The payment was not confirmed, so the order is cancelled.")
        )
        again = translate(request, N_("Your items are back in your cart: you can pay again."))
        web.flash(f"{refused} {again}")
    return _redirect(found.url)


async def _cart_again(
    request: Request,
    session: AsyncSession,
    number: str,
    access: str,
    config: checkout.CheckoutConfig,
    now: datetime,
) -> None:
    """A refused payment must not cost the buyer their cart (it was turned into the order)."""
    order, _ = await orders.buyer_order(
        session,
        number,
        principal=None,
        access=access,
        secret=request.app.state.settings.secret,
    )
    cart = await checkout.cart_from_order(session, order.id, principal=None, config=config, now=now)
    _remember(_web(request), cart)


# --- orders ------------------------------------------------------------------------------


async def _buyer_order(
    request: Request, session: AsyncSession, number: str, access: str | None
) -> Any:
    signed_in = await web_principal(request, session)  # a buyer opens their own orders
    order, caller = await orders.buyer_order(
        session,
        number,
        principal=signed_in if signed_in and signed_in.role is Role.BUYER else None,
        access=access,
        secret=request.app.state.settings.secret,
    )
    return order, caller


Number = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
Access = Annotated[str | None, Query(max_length=64)]


@router.get("/orders/{number}")
async def order_page(
    number: Number,
    request: Request,
    session: Session,
    access: Access = None,
    placed: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    order, _ = await _buyer_order(request, session, number, access)
    now = utcnow()
    view = await orders.read_order(session, order.id, today=now.date())
    tracking = await fulfillment.order_tracking(
        session,
        order_id=order.id,
        number=order.number,
        config=request.app.state.fulfillment_config,
        now=now,
    )
    parcels: dict[str, list[Any]] = {}
    for parcel in tracking.parcels:
        parcels.setdefault(parcel.seller_order_number, []).append(parcel)
    response = page(
        request,
        "storefront/order.html",
        order=view,
        parcels=parcels,
        access=access or "",
        placed=bool(placed),
        challenge_url=_challenge_page(view.payment.next_action if view.payment else None),
        status_labels=STATUS_LABELS,
        payment_labels=PAYMENT_METHODS,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


async def _act(
    request: Request,
    session: AsyncSession,
    number: str,
    seller_order_id: int,
    action: orders.Action,
    done: str,
) -> Response:
    form = await request.form()
    access = text(form, "access") or None
    order, caller = await _buyer_order(request, session, number, access)
    reason = text(form, "reason")[:500] or None
    await orders.act(
        session,
        [seller_order_id],
        action,
        caller,
        now=utcnow(),
        reason=reason,
        order_id=order.id,
    )
    _web(request).flash(translate(request, done))
    suffix = f"?access={access}" if access else ""
    return _redirect(f"/orders/{order.number}{suffix}")


@router.post("/orders/{number}/parts/{seller_order_id}/cancel")
async def cancel_part(
    number: Number, seller_order_id: Id, request: Request, session: Session
) -> Response:
    return await _act(
        request, session, number, seller_order_id, orders.Action.CANCEL, N_("Cancelled.")
    )


@router.post("/orders/{number}/parts/{seller_order_id}/confirm-receipt")
async def confirm_part(
    number: Number, seller_order_id: Id, request: Request, session: Session
) -> Response:
    return await _act(
        request,
        session,
        number,
        seller_order_id,
        orders.Action.COMPLETE,
        N_("Thank you for confirming that your parcel arrived."),
    )


@router.get("/find-order")
async def find_order_form(request: Request) -> Response:
    return page(request, "storefront/find_order.html", values={}, errors={})


@router.post("/find-order")
async def find_order(request: Request, session: Session) -> Response:
    """Order number + the checkout email → the order's private link (a guest who lost it).
    Rate-limited with the API's lookup (same limiter, same key)."""
    form = await request.form()
    values = {"number": text(form, "number")[:20], "email": text(form, "email")[:320]}
    limiter: RateLimiter = request.app.state.lookup_limiter
    await limiter.hit("order-lookup", request.client.host if request.client else "unknown")
    try:
        found = await orders.lookup_order(
            session, values["number"], values["email"], secret=request.app.state.settings.secret
        )
    except orders.OrderNotFound:
        error = translate(request, N_("No order has this number and email. Check both."))
        return page(
            request,
            "storefront/find_order.html",
            status_code=404,
            values=values,
            errors={"number": error},
        )
    return _redirect(found.url)


# --- language ----------------------------------------------------------------------------


@router.post("/language")
async def choose_language(request: Request) -> Response:
    form = await request.form()
    locale = text(form, "locale")
    response = _redirect(safe_next(text(form, "next")))
    if locale in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_secure_context(request),
        )
    return response
