"""What a certificate's public page says: the credential, its schema.org markup and LinkedIn's
add-to-profile link, and the holder's choice to hide it."""

import json
from urllib.parse import urlencode

from django.utils import timezone

from common.emails import ACADEMY_NAME
from common.text import normalise_email
from learning.certificate_emails import verify_url
from learning.models import Certificate

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def find(code: str) -> Certificate | None:
    """The issued certificate with this code, or None (an unknown code and one not yet issued look alike)."""
    if not code or len(code) > 32:
        return None
    found = Certificate.objects.filter(code=code).select_related("product").first()
    return found if found and found.issued else None


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's add-to-profile link, with the certification's fields filled in."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.product.name,
        "organizationName": ACADEMY_NAME,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "certUrl": verify_url(certificate),
        "certId": certificate.code,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(query)}"


def json_ld(certificate: Certificate) -> str:
    """schema.org EducationalOccupationalCredential markup, as a string safe inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "name": certificate.product.name,
        "credentialCategory": "certificate",
        "identifier": certificate.code,
        "url": verify_url(certificate),
        "dateCreated": certificate.issued_on.isoformat(),
        "recognizedBy": {"@type": "Organization", "name": ACADEMY_NAME},
        "about": {"@type": "Person", "name": certificate.holder_name},
    }
    if not certificate.valid:
        data["expires"] = certificate.revoked_event_at.date().isoformat()
    # `<`, `>` and `&` escaped so no name can close the script element.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def certificates_of(email: str) -> list[Certificate]:
    rows = Certificate.objects.filter(holder_email=normalise_email(email), issued_on__isnull=False)
    return [c for c in rows.select_related("product") if c.issued]


def set_hidden(*, code: str, holder_email: str, hidden: bool) -> Certificate:
    """The holder hides their page (it then says "not public") or shows it again; DoesNotExist for
    anyone else's certificate."""
    certificate = Certificate.objects.get(code=code, holder_email=normalise_email(holder_email))
    certificate.hidden_at = timezone.now() if hidden else None
    certificate.save(update_fields=["hidden_at"])
    return certificate
