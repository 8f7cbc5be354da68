import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import Product


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages render through the production static storage (hashed names), so collect once per run."""
    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def catalog(db) -> dict[str, Product]:
    """The launch catalogue as `make run` seeds it, keyed by slug."""
    call_command("load_catalog", verbosity=0)
    return {product.slug: product for product in Product.objects.all()}


@pytest.fixture
def faq_questions(db):
    """The launch FAQ as `make run` seeds it, in display order."""
    from faq.models import Question

    call_command("load_faq", verbosity=0)
    return list(Question.objects.all())
