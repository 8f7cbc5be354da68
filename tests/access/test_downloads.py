from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from access import links
from access.models import Download, Grant, KitFile
from access.samples import attach_sample_files
from tests.stripe_fake import make_event


def add_file(product, name: str, content: bytes, **fields) -> KitFile:
    kit_file = KitFile(product=product, title=fields.pop("title", name), **fields)
    kit_file.file.save(name, ContentFile(content), save=False)
    kit_file.save()
    return kit_file


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_holder_downloads_a_kit_file_as_an_attachment_and_it_is_logged(paid_order, catalog):
    order = paid_order("resume-kit", 1)
    content = b"resume template " * 5000
    kit_file = add_file(catalog["resume-kit"], "templates.docx", content)
    grant = Grant.objects.get(order=order)

    response = Client().get(f"/access/download/{links.download_token(grant, kit_file)}/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="templates.docx"'
    assert int(response["Content-Length"]) == len(content)
    assert body(response) == content
    download = Download.objects.get()
    assert (download.grant, download.kit_file, download.bytes) == (grant, kit_file, len(content))


def test_the_purchases_page_lists_fresh_download_links(paid_order, catalog, client, sign_in):
    paid_order("bundle", 1)
    attach_sample_files()
    sign_in("buyer@example.com")

    page = client.get("/purchases/")
    paths = [
        part.split('"')[0] for part in page.text.split('href="')[1:] if part.startswith("/access/download/")
    ]

    assert len(paths) == 2  # the Resume Kit's and the AI Kit's samples
    assert all(Client().get(path).status_code == 200 for path in paths)


def test_a_full_refund_turns_the_download_link_into_a_clear_403(
    paid_order, catalog, fake_stripe, deliver_event
):
    order = paid_order("resume-kit", 1)
    kit_file = add_file(catalog["resume-kit"], "kit.pdf", b"%PDF")
    path = f"/access/download/{links.download_token(Grant.objects.get(order=order), kit_file)}/"
    assert Client().get(path).status_code == 200

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))
    response = Client().get(path)

    assert response.status_code == 403
    assert "revoked" in response.text
    assert response["Content-Type"].startswith("text/html")


def test_expired_and_tampered_download_links_are_refused(paid_order, catalog, settings):
    order = paid_order("resume-kit", 1)
    kit_file = add_file(catalog["resume-kit"], "kit.pdf", b"%PDF")
    token = links.download_token(Grant.objects.get(order=order), kit_file)

    tampered = Client().get(f"/access/download/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/")
    settings.DOWNLOAD_LINK_MAX_AGE_SECONDS = -1
    expired = Client().get(f"/access/download/{token}/")

    assert tampered.status_code == 400 and "not valid" in tampered.text
    assert expired.status_code == 410 and "expired" in expired.text
    assert not Download.objects.exists()


def test_another_orders_file_is_unreachable(paid_order, catalog):
    mine = Grant.objects.get(order=paid_order("resume-kit", 1, email="me@example.com"))
    their_file = add_file(catalog["ai-kit"], "their.zip", b"PK")
    paid_order("ai-kit", 1, email="them@example.com")

    # A genuine link for my grant that names a file of another product is refused.
    mixed = Client().get(f"/access/download/{links.download_token(mine, their_file)}/")
    # Swapping the ids inside a link breaks its signature.
    mine_token = links.download_token(mine, add_file(catalog["resume-kit"], "mine.pdf", b"%PDF"))
    payload, rest = mine_token.split(":", 1)
    forged = Client().get(f"/access/download/{payload[:-2]}xx:{rest}/")

    assert mixed.status_code == 400
    assert forged.status_code == 400


def test_path_tricks_in_file_names_stay_inside_the_kit_folder(paid_order, catalog):
    order = paid_order("resume-kit", 1)
    grant = Grant.objects.get(order=order)
    media = Path(settings.MEDIA_ROOT).resolve()

    for name in (
        "../../etc/passwd",
        "..\\..\\windows\\evil.txt",
        '/abs/"quoted"\r\nname.txt',
        "..",
        ".hidden",
    ):
        kit_file = add_file(catalog["resume-kit"], name, b"x")
        stored = (media / kit_file.file.name).resolve()
        assert stored.is_relative_to(media / "kits" / "resume-kit"), name
        assert ".." not in kit_file.file.name
        response = Client().get(f"/access/download/{links.download_token(grant, kit_file)}/")
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "/" not in disposition and "\\" not in disposition and "\n" not in disposition, disposition


def test_load_samples_attaches_one_sample_per_kit_and_never_touches_uploads(catalog):
    staff_upload = add_file(catalog["ai-kit"], "real-kit.zip", b"PK real")

    call_command("load_samples", verbosity=0)
    call_command("load_samples", verbosity=0)

    samples = KitFile.objects.filter(is_sample=True)
    assert [s.product.slug for s in samples] == ["resume-kit"]
    assert samples.get().file.read().startswith(b"Project Manager Resume Kit: sample file")
    staff_upload.refresh_from_db()
    assert staff_upload.file.read() == b"PK real" and not staff_upload.is_sample
