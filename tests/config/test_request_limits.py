import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("enforce_csrf_checks", [True, False])
def test_oversized_form_post_is_refused_with_400(enforce_csrf_checks, settings):
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    login_page = client.get(reverse("admin:login"))  # sets the CSRF cookie, as a browser would get it
    token = login_page.context["csrf_token"]
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(
        reverse("admin:login"), {"csrfmiddlewaretoken": token, "username": "someone", "password": too_big}
    )

    assert response.status_code == 400


def test_form_post_under_the_limit_is_read(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = client.post(reverse("admin:login"), {"username": "someone", "password": "x" * 5_000})

    assert response.status_code == 200  # the login form again, with its error
    assert "correct username and password" in response.content.decode()


def test_upload_limit_is_one_megabyte_by_default(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1_048_576
