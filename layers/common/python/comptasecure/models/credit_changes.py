"""What changes credits outside HTTP (R-ACC-5, R-BIL-3): support's grant, the analysis service's consumption."""

from typing import Annotated

from pydantic import Field, PositiveInt, StringConstraints

from comptasecure.models import Request

CreditTypeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,50}$")]


class CreditGrant(Request):
    """Support's grant of credits (R-ACC-5): not an HTTP route, the Lambda's input."""

    account_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    type: CreditTypeId
    amount: PositiveInt
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


# The analysis service's own ids: opaque, but safe inside a sort key and an audit line.
AnalysisId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


class CreditConsumption(Request):
    account_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    credit_type: CreditTypeId
    amount: Annotated[int, Field(gt=0, le=10_000, strict=True)]
    analysis_id: AnalysisId
