"""The launch "Needs attention" list: placeholder prices, kits with only sample files, courses without
access instructions, kits still on the seeded instructions, example email addresses, an invoice footer
without an address and seller details left unset. On the admin home
and as `manage.py check --database default` warnings (tag "launch"); each line goes once it is fixed."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from access.models import KitFile
from access.samples import attach_sample_files
from catalog.models import Product, ProductPrice
from config.checks import is_example_address
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

REAL_FOOTER = "Creative Project Management Academy Ltd, 12 Wardour Street, London W1D 6QF. VAT GB123456789."
REAL_SELLER = "Creative Project Management Academy Ltd\n12 Wardour Street, London W1D 6QF\nCompany 01234567"
ADMIN_HOME = reverse("admin:index")


@pytest.fixture
def fresh_shop(settings, tmp_path, catalog):
    """What `make run` leaves: the launch catalogue, sample kit files, the default addresses and footer."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "CPMA <orders@example.com>"
    settings.SITE_CONTACT_EMAIL = "academy@example.com"
    settings.ORDER_REPLY_TO_EMAIL = "academy@example.com"
    settings.FINANCE_ALERT_EMAIL = "finance@example.com"
    settings.RECEIVABLES_EMAIL = "academy@example.com"
    settings.INVOICE_FOOTER = "Creative Project Management Academy. Questions: reply to your order email."
    settings.SELLER_DETAILS = "Creative Project Management Academy"
    attach_sample_files()
    return catalog


def fix_everything(settings) -> None:
    Product.objects.update(price_is_placeholder=False)
    ProductPrice.objects.update(is_placeholder=False)
    Product.objects.filter(kind=Product.Kind.COURSE).update(access_instructions="Sign in at the course site.")
    Product.objects.filter(kind=Product.Kind.KIT).update(access_instructions="Open the README first.")
    for kit in Product.objects.filter(kind=Product.Kind.KIT):
        KitFile.objects.filter(product=kit).delete()
        real = KitFile(product=kit, title=f"{kit.name} templates")
        real.file.save(f"{kit.slug}.zip", ContentFile(b"PK real files"), save=False)
        real.save()
    settings.DEFAULT_FROM_EMAIL = "CPMA <orders@cpma-academy.org>"
    settings.SITE_CONTACT_EMAIL = "hello@cpma-academy.org"
    settings.ORDER_REPLY_TO_EMAIL = "orders-help@cpma-academy.org"
    settings.FINANCE_ALERT_EMAIL = "finance@cpma-academy.org"
    settings.RECEIVABLES_EMAIL = "accounts@cpma-academy.org"
    settings.INVOICE_FOOTER = REAL_FOOTER
    settings.SELLER_DETAILS = REAL_SELLER


def attention_lines(client) -> list[str]:
    content = client.get(ADMIN_HOME).content.decode()
    if "Needs attention" not in content:
        return []
    block = content.split('<div class="module needs-attention">')[1].split("</div>")[0]
    return [line.split("</li>")[0] for line in block.split("<li>")[1:]]


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff("operator"))
    return client


def test_admin_home_names_each_of_the_five_cases(staff_client, fresh_shop):
    lines = attention_lines(staff_client)
    text = "\n".join(lines)

    placeholder = next(
        line for line in lines if "CPMA Level II Certification" in line and "placeholder" in line
    )
    assert (
        f'href="{reverse("admin:catalog_product_change", args=[fresh_shop["level-ii"].pk])}"' in placeholder
    )
    assert "$197" in placeholder
    assert sum("is a placeholder" in line for line in lines) == 3 + ProductPrice.objects.count()
    assert any("CPMA Bundle" in line and "£" in line and "placeholder" in line for line in lines)
    assert any(
        "Project Manager Resume Kit" in line and "only the generated sample file" in line for line in lines
    )
    assert any("CPMA Level I Certification" in line and "no access instructions" in line for line in lines)
    for name in ("DEFAULT_FROM_EMAIL", "SITE_CONTACT_EMAIL", "ORDER_REPLY_TO_EMAIL", "FINANCE_ALERT_EMAIL"):
        assert f"{name} is " in text
    assert "INVOICE_FOOTER has no postal address" in text
    assert "SELLER_DETAILS is not set" in text
    for kit in ("Project Manager Resume Kit", "Creative PM AI Kit"):
        assert any(kit in line and "still the seeded text" in line for line in lines)


@pytest.mark.parametrize(
    ("fix", "gone"),
    [
        (lambda s: Product.objects.filter(slug="level-ii").update(price_is_placeholder=False), "$197"),
        (
            lambda s: (
                Product.objects.filter(slug="level-i").update(access_instructions="Go to the course."),
                ProductPrice.objects.filter(product__slug="level-i").update(is_placeholder=False),
            ),
            "CPMA Level I Certification",
        ),
        (lambda s: setattr(s, "DEFAULT_FROM_EMAIL", "CPMA <orders@cpma-academy.org>"), "DEFAULT_FROM_EMAIL"),
        (lambda s: setattr(s, "FINANCE_ALERT_EMAIL", ""), "FINANCE_ALERT_EMAIL"),
        (lambda s: setattr(s, "INVOICE_FOOTER", REAL_FOOTER), "INVOICE_FOOTER"),
        (lambda s: setattr(s, "RECEIVABLES_EMAIL", "accounts@cpma-academy.org"), "RECEIVABLES_EMAIL"),
        (lambda s: setattr(s, "SELLER_DETAILS", REAL_SELLER), "SELLER_DETAILS"),
    ],
)
def test_each_line_goes_when_its_cause_is_fixed(staff_client, fresh_shop, settings, fix, gone):
    assert any(gone in line for line in attention_lines(staff_client))

    fix(settings)

    assert not any(gone in line for line in attention_lines(staff_client))


def test_a_kits_seeded_instructions_are_a_line_until_rewritten_or_emptied(staff_client, fresh_shop):
    def seeded(name: str) -> bool:
        return any(name in line and "still the seeded text" in line for line in attention_lines(staff_client))

    assert seeded("Creative PM AI Kit") and seeded("Project Manager Resume Kit")

    Product.objects.filter(slug="ai-kit").update(access_instructions="Open prompts.md first.")
    Product.objects.filter(slug="resume-kit").update(access_instructions="")

    assert not seeded("Creative PM AI Kit") and not seeded("Project Manager Resume Kit")


def test_a_kit_line_goes_once_a_real_file_is_uploaded_and_stays_while_only_samples(staff_client, fresh_shop):
    kit = fresh_shop["ai-kit"]
    assert any("Creative PM AI Kit" in line and "sample" in line for line in attention_lines(staff_client))

    KitFile.objects.filter(product=kit).delete()
    assert any("Creative PM AI Kit" in line and "no files" in line for line in attention_lines(staff_client))

    real = KitFile(product=kit, title="Prompt library")
    real.file.save("prompts.zip", ContentFile(b"PK"), save=False)
    real.save()
    assert not any("Creative PM AI Kit" in line and "file" in line for line in attention_lines(staff_client))


def test_list_disappears_from_the_admin_home_when_all_is_fixed(staff_client, fresh_shop, settings):
    fix_everything(settings)

    content = staff_client.get(ADMIN_HOME).content.decode()

    assert "Needs attention" not in content


def test_manage_py_check_with_the_database_fails_a_launch_gate_until_fixed(fresh_shop, settings):
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", "--database", "default", "--tag", "launch", "--fail-level", "WARNING")
    for check_id in (
        "catalog.W001",
        "catalog.W002",
        "catalog.W003",
        "access.W001",
        "site.W001",
        "site.W002",
        "site.W003",
    ):
        assert check_id in str(raised.value)

    fix_everything(settings)

    call_command("check", "--database", "default", "--tag", "launch", "--fail-level", "WARNING")


def test_checks_without_a_database_stay_quiet_so_the_deploy_check_passes(fresh_shop):
    call_command("check", "--tag", "launch", "--fail-level", "WARNING")


def test_inactive_products_need_no_attention(staff_client, fresh_shop, settings):
    fix_everything(settings)
    Product.objects.filter(slug="level-ii").update(
        is_active=False, price_is_placeholder=True, access_instructions=""
    )

    assert attention_lines(staff_client) == []


@pytest.mark.parametrize(
    ("address", "example"),
    [
        ("CPMA <orders@example.com>", True),
        ("academy@EXAMPLE.org", True),
        ("orders@shop.example.net", True),
        ("orders@academy.example", True),
        ("a@b.test", True),
        ("orders@cpma-academy.org", False),
        ("orders@example.company.com", False),
        ("", False),
    ],
)
def test_example_addresses_are_the_reserved_domains_only(address, example):
    assert is_example_address(address) is example
