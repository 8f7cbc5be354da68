from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalog import seo
from catalog.comparison import BASIS, CREDENTIALS
from catalog.currency import visitor_currency
from catalog.forms import RecommenderForm
from catalog.models import Product
from catalog.pricing import bundle_saves
from catalog.recommend import recommend
from catalog.roles import ROLE_PAGES, ROLE_PAGES_BY_SLUG
from catalog.seats import MAX_SEATS, MIN_SEATS, SUGGESTED_TEAM_SEATS
from catalog.selectors import (
    bundles_containing,
    courses_with_curriculum,
    listed_products,
    product_for_page,
    products_by_slug,
    renamed_product,
)

OVERVIEW = "Film and TV production"


def _overview_crumb() -> tuple[str, str]:
    return (OVERVIEW, reverse("catalog:production"))


def _bundle_saves(products: dict[str, Product]) -> bool:
    return bundle_saves(products.get("bundle"))


def _recommendation_context(recommendation, products: dict[str, Product]) -> dict:
    return {
        "recommendation": recommendation,
        "recommended": products.get(recommendation.product_slug),
        "alternative": products.get(recommendation.alternative_slug or ""),
        "seats": recommendation.seats or SUGGESTED_TEAM_SEATS,
        "min_seats": MIN_SEATS,
        "max_seats": MAX_SEATS,
    }


@require_safe
def home(request):
    context = seo.page_context(
        "CPMA: creative project management certification for film, TV and production teams",
        "Two certifications and two practical kits for producers, production managers, post-production "
        "teams and heads of production, from the Creative Project Management Academy.",
    )
    products = list(listed_products(visitor_currency(request)))
    context.update(
        featured=next((product for product in products if product.is_bundle), None),
        products=[product for product in products if not product.is_bundle],
        role_pages=ROLE_PAGES,
    )
    return render(request, "catalog/home.html", context)


@require_safe
def product_detail(request, slug: str):
    try:
        product = product_for_page(slug, visitor_currency(request))
    except Product.DoesNotExist:
        renamed = renamed_product(slug)
        if renamed is None:
            raise Http404("No product by that name is on sale.") from None
        return redirect(renamed, permanent=True)
    context = seo.page_context(
        f"{product.name}: price and curriculum · CPMA",
        product.tagline,
        trail=[(product.name, product.get_absolute_url())],
        data=[seo.product_offer(product)],
    )
    bundles = [] if product.is_bundle else bundles_containing(product, visitor_currency(request))
    context.update(product=product, bundles=bundles)
    return render(request, "catalog/product_detail.html", context)


@require_safe
def production_overview(request):
    products = products_by_slug(visitor_currency(request))
    context = seo.page_context(
        "Project management certification for film, TV and production · CPMA",
        "How production work differs from agency creative, which project management habits carry over, "
        "what needs recalibrating, and which CPMA credential fits your production role.",
        trail=[_overview_crumb()],
    )
    context.update(
        featured=[products[slug] for slug in ("level-i", "level-ii", "bundle") if slug in products],
        bundle=products.get("bundle"),
        role_pages=ROLE_PAGES,
        catalogue=products,
    )
    return render(request, "catalog/production_overview.html", context)


@require_safe
def role_page(request, slug: str):
    page = ROLE_PAGES_BY_SLUG.get(slug)
    if page is None:
        raise Http404("No page for that role.")
    products = products_by_slug(visitor_currency(request))
    recommendation = page.recommendation(bundle_saves=_bundle_saves(products))
    context = seo.page_context(
        page.title,
        page.description,
        trail=[_overview_crumb(), (page.nav_label, request.path)],
    )
    context.update(
        page=page,
        role_pages=ROLE_PAGES,
        catalogue=products,
        **_recommendation_context(recommendation, products),
    )
    return render(request, "catalog/role.html", context)


@require_safe
def compare(request):
    products = products_by_slug(visitor_currency(request))
    rows = [(credential, products.get(credential.product_slug or "")) for credential in CREDENTIALS]
    context = seo.page_context(
        "PMP, AIGA or CPMA? Credentials compared for production work · CPMA",
        "The PMP, production-technical courses, the AIGA certificate and CPMA Level I, Level II and the "
        "Bundle, compared by cost, study time, exam, renewal and what in each is about production.",
        trail=[_overview_crumb(), ("Compare credentials", request.path)],
    )
    context.update(
        rows=rows,
        basis=BASIS,
        bundle=products.get("bundle"),
        catalogue=products,
    )
    return render(request, "catalog/compare.html", context)


@require_safe
def curriculum(request):
    context = seo.page_context(
        "The CPMA curriculum mapped to production work · CPMA",
        "Level I's disciplines next to the production artifacts they shape, and Level II's five sections "
        "next to the senior production work they cover.",
        trail=[_overview_crumb(), ("Curriculum map", request.path)],
    )
    currency = visitor_currency(request)
    context.update(courses=courses_with_curriculum(currency), bundle=products_by_slug(currency).get("bundle"))
    return render(request, "catalog/curriculum.html", context)


@require_safe
def recommender(request):
    """GET form: no answers shows the questions; answers show the recommendation (a 400 if invalid)."""
    form = RecommenderForm(request.GET or None)
    context = seo.page_context(
        "Which CPMA product fits me? Recommendations for production roles · CPMA",
        "Answer three questions about your production role, seniority and team to see which CPMA "
        "certification or bundle to buy.",
        trail=[_overview_crumb(), ("Which one fits me?", request.path)],
    )
    context["form"] = form
    status = 200
    if form.is_bound:
        if form.is_valid():
            products = products_by_slug(visitor_currency(request))
            recommendation = recommend(**form.answers(), bundle_saves=_bundle_saves(products))
            context.update(_recommendation_context(recommendation, products))
        else:
            status = 400
    return render(request, "catalog/recommender.html", context, status=status)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /checkout/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
