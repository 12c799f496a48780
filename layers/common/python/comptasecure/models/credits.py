"""What the analysis service sends to consume credits (R-BIL-3): a Lambda's input, never an HTTP body."""

from typing import Annotated

from pydantic import Field, StringConstraints

from comptasecure.models import Request
from comptasecure.models.billing import CreditTypeId

# The analysis service's own ids: opaque, but safe inside a sort key and an audit line.
AnalysisId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


class CreditConsumption(Request):
    account_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    credit_type: CreditTypeId
    amount: Annotated[int, Field(gt=0, le=10_000, strict=True)]
    analysis_id: AnalysisId
