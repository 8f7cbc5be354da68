"""`make serve` and a deployment seed what production needs (catalogue, FAQ, site pages) and never the
sample kit files, which only `make run` loads."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from access.models import KitFile
from catalog.models import Product
from faq.models import Question
from pages.models import Page

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(target: str) -> list[str]:
    """The manage.py commands `make <target>` would run, in order, without running them."""
    printed = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return [line.split("manage.py", 1)[1].split()[0] for line in printed.splitlines() if "manage.py" in line]


def test_make_serve_seeds_through_seed_production_and_never_loads_samples():
    commands = make_dry_run("serve")

    assert "seed_production" in commands
    assert commands.index("migrate") < commands.index("seed_production")
    assert "load_samples" not in commands


def test_make_run_seeds_the_same_content_and_adds_the_samples():
    commands = make_dry_run("seed")

    assert commands.index("seed_production") < commands.index("load_samples")


@pytest.mark.django_db
def test_seed_production_leaves_the_faq_populated_and_no_sample_file(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("seed_production", verbosity=0)

    assert Product.objects.filter(slug="bundle").exists()
    assert Page.objects.filter(slug="expensing").exists()
    assert Question.objects.filter(slug="upgrading-from-level-i").exists()
    content = client.get("/faq/").content.decode()
    assert "No questions are published yet" not in content
    assert "How do I get into the course once I have paid?" in content
    assert not KitFile.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.django_db
def test_seed_production_twice_changes_nothing_staff_edited():
    call_command("seed_production", verbosity=0)
    Question.objects.filter(slug="receipts").update(answer="Edited by staff.")

    call_command("seed_production", verbosity=0)

    assert Question.objects.get(slug="receipts").answer == "Edited by staff."
