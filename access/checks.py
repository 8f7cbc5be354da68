"""Launch check for kit files (tag "launch"): a kit on sale whose only files are the generated samples
(`load_samples`) or that has no file at all would hand buyers nothing real.

It runs only when the caller names the databases, like catalog.checks (see there why).
"""

from django.core import checks
from django.db import DatabaseError, transaction

from access.models import KitFile
from catalog.models import Product

LAUNCH = "launch"


def kits_without_real_files(kits, real_file_product_ids: set[int], sample_product_ids: set[int]):
    messages = []
    for kit in kits:
        if kit.pk in real_file_product_ids:
            continue
        only_samples = kit.pk in sample_product_ids
        messages.append(
            checks.Warning(
                "This kit has only the generated sample file, so buyers would download that."
                if only_samples
                else "This kit has no files, so buyers would have nothing to download.",
                hint="Upload the real kit files on the product's admin page"
                + (" and delete the sample." if only_samples else "."),
                obj=kit,
                id="access.W001",
            )
        )
    return messages


@checks.register(LAUNCH)
def check_kit_files_ready(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    messages = []
    for alias in databases or ():
        try:
            with transaction.atomic(using=alias):
                kits = list(Product.objects.using(alias).active().filter(kind=Product.Kind.KIT))
                files = KitFile.objects.using(alias).filter(product__in=kits)
                real = set(files.filter(is_sample=False).values_list("product_id", flat=True))
                samples = set(files.filter(is_sample=True).values_list("product_id", flat=True))
        except DatabaseError:  # not migrated yet: nothing to say
            continue
        messages += kits_without_real_files(kits, real, samples)
    return messages
