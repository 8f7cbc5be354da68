"""Trust notes beside Buy buttons and on the review page; links to the site pages where buyers decide."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LEVEL_I_FACTS = "unlimited free exam retakes, 70% to pass"
VETERANS = "Disney, Sony Pictures and Paramount Pictures"


@pytest.fixture
def checkout_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_pages"


def trust_notes(content: str) -> str:
    return content.split('<ul class="trust">')[1].split("</ul>")[0]


def test_level_i_page_shows_the_guarantee_level_i_facts_and_the_veterans(client, catalog):
    notes = trust_notes(client.get("/products/level-i/").content.decode())

    assert "Five-day full refund" in notes
    assert f'href="{reverse("pages:refunds")}"' in notes
    assert LEVEL_I_FACTS in notes
    assert VETERANS in notes


def test_level_i_facts_are_never_claimed_for_level_ii_or_the_kits(client, catalog):
    for slug in ("level-ii", "resume-kit", "ai-kit"):
        content = client.get(f"/products/{slug}/").content.decode()
        notes = trust_notes(content)
        assert "Five-day full refund" in notes
        assert "retakes" not in content, slug
        assert "never expires" not in content, slug


def test_bundle_page_names_level_i_as_the_source_of_its_facts(client, catalog):
    notes = trust_notes(client.get("/products/bundle/").content.decode())

    assert f"Level I inside: self-paced, {LEVEL_I_FACTS}" in notes


def test_buy_include_on_the_role_pages_carries_the_trust_notes(client, catalog):
    content = client.get("/film-tv-production/for/coordinators/").content.decode()

    assert LEVEL_I_FACTS in trust_notes(content)


def test_review_page_shows_trust_and_policy_links_beside_the_pay_button(client, catalog, checkout_on):
    content = client.get(reverse("checkout:review", args=["level-i"])).content.decode()

    block = content.split('<div class="before-you-pay">')[1].split("</div>")[0]
    assert content.index("Continue to secure payment") < content.index('<div class="before-you-pay">')
    assert LEVEL_I_FACTS in block and VETERANS in block
    for slug in ("terms", "refunds", "privacy", "expensing", "contact"):
        assert f'href="{reverse(f"pages:{slug}")}"' in block


def test_more_than_fifty_seats_says_how_to_reach_the_academy(client, catalog, checkout_on, settings):
    settings.SITE_CONTACT_EMAIL = "teams@academy.example"

    response = client.post(
        reverse("checkout:start"),
        {"digital_consent": "on", "product": "bundle", "quantity": "51"},
        follow=True,
    )

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: the error shows on the review page
    assert "email the academy at teams@academy.example" in response.content.decode()


def test_team_role_page_and_faq_link_to_the_expensing_page(client, catalog, faq_questions):
    expensing = f'href="{reverse("pages:expensing")}"'

    assert expensing in client.get("/film-tv-production/for/heads-of-production/").content.decode()
    faq = client.get("/faq/").content.decode()
    employers = faq.split('id="topic-employers"')[1].split("</section>")[0]
    assert expensing in employers
