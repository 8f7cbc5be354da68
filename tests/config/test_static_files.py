import pytest


@pytest.mark.django_db
def test_hashed_static_file_is_cached_for_ten_years(client):
    # Imported here: the storage must be built after conftest has collected into a temporary STATIC_ROOT.
    from django.contrib.staticfiles.storage import staticfiles_storage

    url = staticfiles_storage.url("css/site.css")
    assert url != "/static/css/site.css"  # the hashed name

    response = client.get(url)

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "max-age=315360000" in cache_control
    assert "immutable" in cache_control
    assert "public" in cache_control


@pytest.mark.django_db
def test_unhashed_name_is_cached_only_briefly(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
