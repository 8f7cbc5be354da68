"""The email that gives a holder their certificate's verification link, once per certificate."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.emails import message
from common.tasks import MAIL_QUEUE, retrying_task
from learning.models import Certificate


def verify_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("learning:verify", kwargs={"code": certificate.code})


def send_certificate(certificate_id: int) -> str:
    """Under the certificate's row lock, so two workers send one email; the mark commits with the send."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().select_related("product").get(pk=certificate_id)
        if certificate.emailed_at is not None or not certificate.issued:
            return "skipped"
        context = {"certificate": certificate, "verify_url": verify_url(certificate)}
        message("learning/certificate_issued", context, to=certificate.holder_email).send()
        certificate.emailed_at = timezone.now()
        certificate.save(update_fields=["emailed_at"])
    return "sent"


@retrying_task(queue=MAIL_QUEUE)
def send_certificate_email(certificate_id: int) -> str:
    return send_certificate(certificate_id)
