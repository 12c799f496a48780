"""The private FEC bucket (KMS-encrypted by default): an account's files and its audit exports.

Every object of an account lives under ``accounts/<id>/`` (uploaded FEC files) or
``exports/<id>/`` (audit exports, expired by the bucket's lifecycle rule), so the purge of a
deleted account knows every place to empty.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from comptasecure import aws
from comptasecure.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef

# S3 refuses parts under 5 MiB except the last; bigger parts mean fewer calls for a large export.
PART_BYTES = 8 * 1024 * 1024
DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys per call


def account_prefixes(account_id: str) -> tuple[str, str]:
    return f"accounts/{account_id}/", export_prefix(account_id)


def export_prefix(account_id: str) -> str:
    return f"exports/{account_id}/"


class BucketDeletionFailed(Exception):
    """Some objects were not deleted: the purge fails and Lambda runs it again."""


class StreamedUpload:
    """One object written part by part (multipart upload), never held whole in memory."""

    def __init__(self, key: str, upload_id: str) -> None:
        self.key = key
        self._upload_id = upload_id
        self._buffer = bytearray()
        self._parts: list[CompletedPartTypeDef] = []

    def write(self, data: bytes) -> None:
        self._buffer.extend(data)
        if len(self._buffer) >= PART_BYTES:
            self._flush()

    def _flush(self) -> None:
        number = len(self._parts) + 1
        sent = aws.s3().upload_part(
            Bucket=settings().fec_bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"PartNumber": number, "ETag": sent["ETag"]})
        self._buffer.clear()

    def complete(self) -> None:
        if self._buffer or not self._parts:
            self._flush()
        aws.s3().complete_multipart_upload(
            Bucket=settings().fec_bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    def abort(self) -> None:
        aws.s3().abort_multipart_upload(Bucket=settings().fec_bucket, Key=self.key, UploadId=self._upload_id)


@contextmanager
def streamed_upload(key: str, content_type: str) -> Iterator[StreamedUpload]:
    """Completed when the block ends; aborted (no partial object, no stored parts) when it raises."""
    created = aws.s3().create_multipart_upload(
        Bucket=settings().fec_bucket, Key=key, ContentType=content_type, ServerSideEncryption="aws:kms"
    )
    upload = StreamedUpload(key, created["UploadId"])
    try:
        yield upload
    except BaseException:
        upload.abort()
        raise
    upload.complete()


def download_url(key: str, seconds: int, file_name: str) -> str:
    return aws.s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings().fec_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{file_name}"',
        },
        ExpiresIn=seconds,
    )


def delete_prefix(prefix: str) -> tuple[int, int]:
    """Every version and delete marker under ``prefix`` (the bucket is versioned: deleting the
    current object alone would keep the data as a noncurrent version). Returns (objects, calls)."""
    removed = calls = 0
    pages = (
        aws.s3()
        .get_paginator("list_object_versions")
        .paginate(Bucket=settings().fec_bucket, Prefix=prefix, PaginationConfig={"PageSize": DELETE_BATCH})
    )
    for page in pages:
        calls += 1
        versions: list[ObjectIdentifierTypeDef] = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        for start in range(0, len(versions), DELETE_BATCH):
            batch = versions[start : start + DELETE_BATCH]
            answer = aws.s3().delete_objects(Bucket=settings().fec_bucket, Delete={"Objects": batch, "Quiet": True})
            calls += 1
            if answer.get("Errors"):
                raise BucketDeletionFailed(f"S3 refused to delete {len(answer['Errors'])} objects under {prefix}")
            removed += len(batch)
    return removed, calls
