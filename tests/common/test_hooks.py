"""common.hooks: what higher apps add through a setting is joined in one way, and two parts giving the same
key (which would silently hide one app's part) are refused by name."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from common import hooks


def gives_total(**kwargs):
    return {"total": kwargs["seats"] * 10}


def gives_note(**kwargs):
    return {"note": f"{kwargs['seats']} seats"}


HERE = "tests.common.test_hooks"


def test_parts_are_joined_in_the_settings_order_with_the_callers_keys(settings):
    settings.TEST_EXTRAS = [f"{HERE}.gives_total", f"{HERE}.gives_note"]
    context = {"product": "level-i"}

    joined = hooks.merged("TEST_EXTRAS", seats=3, into=context)

    assert joined is context and context == {"product": "level-i", "total": 30, "note": "3 seats"}


@pytest.mark.parametrize(
    "paths, into, names",
    [
        ([f"{HERE}.gives_total", f"{HERE}.gives_total"], None, [f"{HERE}.gives_total"]),
        ([f"{HERE}.gives_note"], {"note": "the page's own"}, ["the caller"]),
    ],
)
def test_two_parts_giving_one_key_are_refused_by_name(settings, paths, into, names):
    settings.TEST_EXTRAS = paths

    with pytest.raises(ImproperlyConfigured) as refused:
        hooks.merged("TEST_EXTRAS", seats=1, into=into)

    assert "TEST_EXTRAS" in str(refused.value)
    assert all(name in str(refused.value) for name in names)


def test_named_and_one_import_what_the_settings_name(settings):
    settings.TEST_LIST = [f"{HERE}.gives_note", f"{HERE}.gives_total"]
    settings.TEST_ONE = f"{HERE}.gives_note"
    settings.TEST_NONE = ""

    assert hooks.named("TEST_LIST") == [gives_note, gives_total]
    assert hooks.one("TEST_ONE") is gives_note and hooks.one("TEST_NONE") is None
    assert hooks.named("NOT_A_SETTING") == []


def test_every_hook_the_shop_configures_imports_and_the_review_and_receipt_parts_do_not_clash():
    from django.conf import settings

    for name in ("REVIEW_PAGE_EXTRAS", "REFUND_RECEIPT_EXTRAS", "ORDER_CHANGED_TASKS", "RECONCILE_EXTRAS"):
        assert hooks.named(name), name
    for name in (
        "LEDGER_INVOICES",
        "ORDER_EMAIL_LINKS",
        "CHECKOUT_SESSION_CONVERGE",
        "PAYING_BROWSER_SIGN_IN",
    ):
        assert hooks.one(name) is not None, name
    assert len(settings.REVIEW_PAGE_EXTRAS) == len(set(settings.REVIEW_PAGE_EXTRAS))
