from comptasecure.domain import cabinet
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.cabinet import CrmView

router = api_router()


@router.get("/analyses/<analysis_id>/crm")
def get_crm(analysis_id: str) -> CrmView:
    caller = current_caller(router)
    return CrmView(**cabinet.crm(caller.account_id, analysis_id))


handler = lambda_handler(router)
