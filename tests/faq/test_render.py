import pytest

from catalog.models import Product
from catalog.money import format_money
from faq.models import Question
from faq.render import fill_prices, render_answer, unknown_placeholders
from tests.factories import make_bundle, make_product


@pytest.fixture
def products(db):
    kit = make_product(slug="kit", price_cents=2500)
    other = make_product(slug="other", price_cents=7500)
    make_bundle([kit, other], slug="pack", price_cents=8000)
    return {p.slug: p for p in Product.objects.with_pricing()}


def test_placeholders_are_filled_from_the_catalogue(products):
    text = "Kit {price:kit}; pack {price:pack}, worth {separate_value:pack}, saves {savings:pack} ({savings_percent:pack})."

    assert fill_prices(text, products) == "Kit $25; pack $80, worth $100, saves $20 (20%)."


def test_filled_prices_follow_a_price_change(products):
    Product.objects.filter(slug="kit").update(price_cents=3000)
    fresh = {p.slug: p for p in Product.objects.with_pricing()}

    assert fill_prices("{separate_value:pack}", fresh) == format_money(10500)


@pytest.mark.parametrize("placeholder", ["{price:nope}", "{cost:kit}", "{savings:kit}"])
def test_unfillable_placeholders_are_left_as_written(products, placeholder):
    assert fill_prices(f"Costs {placeholder}.", products) == f"Costs {placeholder}."
    assert unknown_placeholders(f"Costs {placeholder}.", products) == [placeholder]


def test_text_in_braces_that_is_not_a_placeholder_is_untouched(products):
    assert fill_prices("Use {curly} braces {x}", products) == "Use {curly} braces {x}"
    assert unknown_placeholders("{price:kit} and {savings:pack}", products) == []


def test_answer_html_is_escaped_and_split_into_paragraphs(products):
    question = Question(slug="q", question="Q?", topic="buying", answer="<b>One</b> {price:kit}\n\nTwo")

    rendered = render_answer(question, products)

    assert rendered.html == "<p>&lt;b&gt;One&lt;/b&gt; $25</p>\n\n<p>Two</p>"
    assert rendered.text == "<b>One</b> $25\n\nTwo"


def test_bundle_priced_above_its_parts_states_no_negative_saving(db):
    parts = [make_product(slug="cheap-a", price_cents=1000), make_product(slug="cheap-b", price_cents=1000)]
    make_bundle(parts, slug="dear", price_cents=2500)
    products = {p.slug: p for p in Product.objects.with_pricing()}

    assert fill_prices("saves {savings:dear} ({savings_percent:dear})", products) == "saves $0 (0%)"
