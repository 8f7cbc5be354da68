"""The public pages the tests visit: everything in /sitemap.xml, plus a recommender answer page."""

from config.sitemaps import SITEMAPS

RECOMMENDER_ANSWER = "/film-tv-production/which-one-fits-me/?role=producer&seniority=mid&buying_for=me"


def sitemap_paths() -> list[str]:
    paths = []
    for sitemap_class in SITEMAPS.values():
        sitemap = sitemap_class()
        paths += [sitemap.location(item) for item in sitemap.items()]
    return paths


def public_paths() -> list[str]:
    """Every page a visitor can reach without signing in: the sitemap, a recommender answer and the order
    review page of each product on sale (not in the sitemap: robots keep crawlers out of checkout)."""
    from catalog.models import Product

    reviews = [f"/checkout/{slug}/" for slug in Product.objects.active().values_list("slug", flat=True)]
    return [*sitemap_paths(), RECOMMENDER_ANSWER, *reviews]
