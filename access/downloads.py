"""Downloads of kit files: one record per download, its bytes filled in as the file is streamed."""

from access.models import Download, Grant, KitFile


def record_download(*, grant: Grant, kit_file: KitFile) -> Download:
    """A download starts; its bytes are filled in as the file is streamed (see access.views)."""
    return Download.objects.create(grant=grant, kit_file=kit_file, file_name=kit_file.file.name, bytes=0)


def record_bytes_sent(download_id: int, sent: int) -> None:
    Download.objects.filter(pk=download_id).update(bytes=sent)
