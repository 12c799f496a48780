"""AWS clients, created once per container on first use (never per request, never at import)."""

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from comptasecure.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_stepfunctions import SFNClient


@cache
def table() -> "Table":
    return boto3.resource("dynamodb").Table(settings().table_name)


@cache
def dynamodb_client() -> Any:
    # The resource's own client serialises plain Python values in transactions.
    return table().meta.client


@cache
def sfn() -> "SFNClient":
    return boto3.client("stepfunctions")


@cache
def sesv2() -> "SESV2Client":
    return boto3.client("sesv2")


@cache
def s3() -> "S3Client":
    return boto3.client("s3")
