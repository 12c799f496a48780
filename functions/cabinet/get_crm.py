from comptasecure.domain import cabinet
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.params import AnalysisId
from comptasecure.models.cabinet import CrmView

router = api_router()


@router.get("/analyses/<analysis_id>/crm")
def get_crm(analysis_id: AnalysisId) -> CrmView:
    """Open the CRM of an analysis.

    Its own fields, each empty one pre-filled from the firm field of the same name when that one is filled
    (R-CAB-2).
    """
    caller = current_caller(router)
    return CrmView(**cabinet.crm(caller.account_id, analysis_id))


handler = lambda_handler(router)
