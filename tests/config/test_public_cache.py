"""The whole-page cache for public pages (config/public_cache.py)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.cache import patch_vary_headers

from catalog.models import Product
from catalog.money import format_money
from config import public_cache
from config.public_cache import VERSION_KEY, PublicPageCacheMiddleware, bump_public_cache
from faq.models import Question
from pages.models import Page
from tests.config.conftest import forget_public_pages
from tests.factories import make_product, make_staff
from tests.factories import product_admin_form as product_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_cache_on")]


@pytest.fixture
def editor(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def public_paths() -> list[str]:
    """Every argument-free page in the cached namespaces, plus each product page."""
    paths = [reverse(name) for name in settings.PUBLIC_CACHE_URL_NAMES]
    for namespace in settings.PUBLIC_CACHE_URL_NAMESPACES:
        resolver = get_resolver().namespace_dict.get(namespace)
        if resolver is None:
            continue
        for pattern in resolver[1].url_patterns:
            if isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                paths.append(reverse(f"{namespace}:{pattern.name}"))
            elif isinstance(pattern, URLResolver):
                continue
    paths += [product.get_absolute_url() for product in Product.objects.active()]
    return paths


def test_second_request_is_served_from_cache_without_queries(client, catalog, django_assert_num_queries):
    first = client.get("/")

    with django_assert_num_queries(0):
        second = client.get("/")

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "public" in second["Cache-Control"]
    assert "max-age=60" in second["Cache-Control"]


def test_every_public_page_is_cacheable(client, catalog):
    call_command("load_pages", verbosity=0)
    paths = public_paths()
    assert "/" in paths
    assert "/products/bundle/" in paths

    for path in paths:
        assert client.get(path)["X-Cache"] == "MISS", path
        assert client.get(path)["X-Cache"] == "HIT", path


def test_head_is_answered_from_the_cached_page(client, catalog):
    get = client.get("/products/bundle/")

    head = client.head("/products/bundle/")

    assert head["X-Cache"] == "HIT"
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))


def test_admin_price_edit_shows_at_once_on_home_and_product_page(
    client, editor, db, django_capture_on_commit_callbacks
):
    product = make_product(price_cents=4321)
    anonymous = type(client)()
    anonymous.get("/")
    anonymous.get(product.get_absolute_url())
    assert anonymous.get("/")["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:catalog_product_change", args=[product.pk]),
            product_form(product, price="98.76", confirm_price_change="on"),
        )

    assert response.status_code == 302
    home = anonymous.get("/")
    page = anonymous.get(product.get_absolute_url())
    assert home["X-Cache"] == page["X-Cache"] == "MISS"
    for response in (home, page):
        assert format_money(9876) in response.content.decode()
        assert format_money(4321) not in response.content.decode()


def test_list_editable_save_in_admin_invalidates_pages(
    client, editor, db, django_capture_on_commit_callbacks
):
    product = make_product()
    anonymous = type(client)()
    assert product.name in anonymous.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:catalog_product_changelist"),
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-0-id": str(product.pk),
                "form-0-position": str(product.position),
                "_save": "Save",
            },  # "is_active" left out: unticked
        )

    assert response.status_code == 302
    assert not Product.objects.get(pk=product.pk).is_active
    assert product.name not in anonymous.get("/").content.decode()


def test_admin_delete_invalidates_pages(client, editor, db, django_capture_on_commit_callbacks):
    product = make_product()
    anonymous = type(client)()
    assert product.name in anonymous.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"})

    assert not Product.objects.filter(pk=product.pk).exists()
    assert product.name not in anonymous.get("/").content.decode()


def test_saving_a_faq_entry_in_admin_invalidates_pages(editor, db, django_capture_on_commit_callbacks):
    before = cache.get(VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:faq_question_add"),
            {
                "question": "Is there a team price?",
                "slug": "team-price",
                "answer": "Yes.",
                "topic": Question.Topic.BUYING,
                "position": "1",
                "is_published": "on",
            },
        )

    assert response.status_code == 302
    assert cache.get(VERSION_KEY) != before


def test_staff_edit_of_a_site_page_shows_at_once(client, editor, db, django_capture_on_commit_callbacks):
    call_command("load_pages", verbosity=0)
    page = Page.objects.get(slug="refunds")
    anonymous = type(client)()
    anonymous.get(page.get_absolute_url())
    assert anonymous.get(page.get_absolute_url())["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:pages_page_change", args=[page.pk]),
            {"title": page.title, "description": page.description, "body": "Refunds within a week."},
        )

    assert response.status_code == 302
    fresh = anonymous.get(page.get_absolute_url())
    assert fresh["X-Cache"] == "MISS"
    assert "Refunds within a week." in fresh.content.decode()


def test_invalidation_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    cache.set(VERSION_KEY, 7, timeout=None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bump_public_cache()
        assert cache.get(VERSION_KEY) == 7
    for callback in callbacks:
        callback()

    assert cache.get(VERSION_KEY) == 8


@pytest.mark.parametrize("command", ["load_catalog", "load_pages"])
def test_seed_command_invalidates_only_when_it_creates_something(
    db, django_capture_on_commit_callbacks, command
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(command, verbosity=0)
    after_first_load = cache.get(VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        call_command(command, verbosity=0)

    assert after_first_load is not None
    assert cache.get(VERSION_KEY) == after_first_load


def test_lost_version_never_revives_old_pages(client, catalog):
    client.get("/")
    Product.objects.filter(slug="level-i").update(price_cents=55500)
    cache.delete(VERSION_KEY)  # evicted, or the cache restarted

    response = client.get("/")

    assert response["X-Cache"] == "MISS"
    assert format_money(55500) in response.content.decode()


def test_post_is_neither_answered_from_nor_stored_in_the_cache(client, catalog):
    client.get("/")
    answered = client.post("/")
    forget_public_pages()
    client.post("/")

    assert "X-Cache" not in answered
    assert client.get("/")["X-Cache"] == "MISS"


def test_per_visitor_checkout_review_page_is_never_cached(client, catalog):
    client.get("/checkout/level-i/")

    assert "X-Cache" not in client.get("/checkout/level-i/")


def test_signed_in_visitor_is_never_served_or_stored(client, catalog):
    type(client)().get("/")  # an anonymous visitor fills the cache
    client.force_login(make_staff("staffer"))

    served = client.get("/")
    forget_public_pages()
    client.get("/")

    assert "X-Cache" not in served
    assert type(client)().get("/")["X-Cache"] == "MISS"  # the signed-in render was not stored


def run_middleware(response: HttpResponse) -> HttpResponse:
    request = RequestFactory().get("/")
    return PublicPageCacheMiddleware(lambda _request: response)(request)


def test_response_that_sets_a_cookie_is_not_stored(db):
    response = HttpResponse("hello")
    response.set_cookie("csrftoken", "abc")

    run_middleware(response)
    again = run_middleware(HttpResponse("other"))

    assert "X-Cache" not in response
    assert again.content == b"other"
    assert again["X-Cache"] == "MISS"


def test_response_that_varies_on_cookie_is_not_stored(db):
    response = HttpResponse("uses the session or a CSRF token")
    patch_vary_headers(response, ["Cookie"])

    run_middleware(response)

    assert "X-Cache" not in response
    assert run_middleware(HttpResponse("fresh")).content == b"fresh"


def test_error_responses_are_not_stored(db):
    run_middleware(HttpResponse("boom", status=500))

    assert run_middleware(HttpResponse("fine")).content == b"fine"


def test_plain_public_response_is_stored_and_replayed(db):
    first = run_middleware(HttpResponse("cached body"))
    second = run_middleware(HttpResponse("not used"))

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.content == b"cached body"


def test_bump_public_cache_command_invalidates_pages(client, catalog, django_capture_on_commit_callbacks):
    client.get("/")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("bump_public_cache", verbosity=0)

    assert client.get("/")["X-Cache"] == "MISS"


def test_another_servers_edit_is_seen_within_the_version_ttl(client, catalog, settings, monkeypatch):
    settings.PUBLIC_CACHE_VERSION_TTL = 5
    now = [1000.0]
    monkeypatch.setattr(public_cache.time, "monotonic", lambda: now[0])
    client.get("/")
    Product.objects.filter(slug="level-i").update(price_cents=55500)
    cache.incr(VERSION_KEY)  # what bump_public_cache() does on another app server

    now[0] += 4
    soon = client.get("/")
    now[0] += 2
    later = client.get("/")

    assert soon["X-Cache"] == "HIT"  # this process has not re-read the version yet
    assert later["X-Cache"] == "MISS"
    assert format_money(55500) in later.content.decode()


def test_hit_from_the_shared_cache_fills_this_process(client, catalog, django_assert_num_queries):
    client.get("/products/bundle/")
    public_cache.local_copies.clear()  # as if another process had rendered it

    with django_assert_num_queries(0):
        response = client.get("/products/bundle/")

    assert response["X-Cache"] == "HIT"
    assert public_cache.local_copies.get(public_cache._page_key(response.wsgi_request)) is not None


@pytest.mark.parametrize("status", [201, 204, 301, 302, 404])
def test_only_200_answers_are_stored(db, status):
    run_middleware(HttpResponse("not a page to replay", status=status))

    again = run_middleware(HttpResponse("fine"))
    assert again.content == b"fine"
    assert again["X-Cache"] == "MISS"


def test_response_that_varies_on_everything_is_not_stored(db):
    response = HttpResponse("different for every request")
    patch_vary_headers(response, ["*"])

    run_middleware(response)

    again = run_middleware(HttpResponse("fresh"))
    assert again.content == b"fresh"
    assert again["X-Cache"] == "MISS"


def test_visitor_with_a_messages_cookie_is_never_served_a_cached_page(client, catalog):
    type(client)().get("/")  # an anonymous visitor fills the cache
    client.cookies["messages"] = "a flash message waiting to be shown"

    response = client.get("/")

    assert "X-Cache" not in response


def test_any_save_outside_admin_invalidates_pages(client, catalog, django_capture_on_commit_callbacks):
    client.get("/")
    assert client.get("/")["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        product = Product.objects.get(slug="level-i")
        product.price_cents = 55500
        product.save()

    response = client.get("/")
    assert response["X-Cache"] == "MISS"
    assert format_money(55500) in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda: Product.objects.get(slug="level-i").modules.first().delete(),
        lambda: Question.objects.first().delete(),
        lambda: Product.objects.get(slug="bundle").bundle_items.first().delete(),
    ],
    ids=["module deleted", "question deleted", "component removed"],
)
def test_every_kind_of_content_change_invalidates_pages(
    catalog, faq_questions, django_capture_on_commit_callbacks, change
):
    before = cache.get(VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        change()

    assert cache.get(VERSION_KEY) != before


def test_adding_a_component_through_the_relation_invalidates_pages(
    catalog, django_capture_on_commit_callbacks
):
    extra = make_product()  # its own save bumps too, but only when the test's transaction commits
    before = cache.get(VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.get(slug="bundle").components.add(extra)  # bulk-created rows: no post_save

    assert cache.get(VERSION_KEY) != before


def test_a_cached_page_is_sent_gzipped_to_clients_that_accept_it(client, faq_questions):
    import gzip

    plain = client.get("/faq/")

    compressed = client.get("/faq/", headers={"accept-encoding": "gzip, deflate, br"})
    again_plain = client.get("/faq/", headers={"accept-encoding": "identity"})

    assert compressed["X-Cache"] == "HIT" and compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content) / 3
    assert not again_plain.has_header("Content-Encoding") and again_plain.content == plain.content
    for response in (plain, compressed, again_plain):
        assert "Accept-Encoding" in response["Vary"]


def test_head_of_a_gzipped_page_gives_the_gzipped_length(client, catalog):
    get = client.get("/products/bundle/", headers={"accept-encoding": "gzip"})
    get = client.get("/products/bundle/", headers={"accept-encoding": "gzip"})

    head = client.head("/products/bundle/", headers={"accept-encoding": "gzip"})

    assert get["Content-Encoding"] == head["Content-Encoding"] == "gzip"
    assert head.content == b"" and head["Content-Length"] == str(len(get.content))


def test_a_page_stored_before_pages_had_a_gzip_copy_is_rendered_again(client, catalog):
    client.get("/")
    key = public_cache._page_key(RequestFactory().get("/"))
    version, headers, content, _compressed = cache.get(key)
    for store in (cache, public_cache.local_copies):
        store.set(key, (version, headers, content))

    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"


def test_whether_a_path_is_a_public_page_is_worked_out_once_per_path(client, catalog):
    public_cache._resolves_to_public_page.cache_clear()

    for _ in range(3):
        assert client.get("/faq/").status_code == 200
        assert client.get("/healthz").status_code == 200

    info = public_cache._resolves_to_public_page.cache_info()
    assert (info.misses, info.hits) == (2, 4)
    assert client.get("/faq/")["X-Cache"] == "HIT"
    assert not client.get("/healthz").has_header("X-Cache")
