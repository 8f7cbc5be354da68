"""The public pages the tests visit: everything in /sitemap.xml, plus a recommender answer page."""

from config.sitemaps import SITEMAPS

RECOMMENDER_ANSWER = "/film-tv-production/which-one-fits-me/?role=producer&seniority=mid&buying_for=me"


def sitemap_paths() -> list[str]:
    paths = []
    for sitemap_class in SITEMAPS.values():
        sitemap = sitemap_class()
        paths += [sitemap.location(item) for item in sitemap.items()]
    return paths
