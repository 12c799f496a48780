from comptasecure.domain import audit_log, cabinet
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.params import AnalysisId
from comptasecure.models.cabinet import CrmView, FirmFieldsUpdate

router = api_router()


# Every role works on analyses and saves their CRM; only those who may edit the firm information
# (R-ROLE: owner and admins) back-fill its empty fields from it.
@router.patch("/analyses/<analysis_id>/crm")
def update_crm(analysis_id: AnalysisId, body: FirmFieldsUpdate) -> CrmView:
    """Save the CRM of an analysis.

    Saved by the owner or an admin, every empty firm field also takes the CRM's value (R-CAB-3); a
    member's save stores the CRM only.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    saved = cabinet.save_crm(
        caller.account_id, analysis_id, actor, body.fields.changes(), may_edit_firm=caller.is_manager
    )
    return CrmView(**saved)


handler = lambda_handler(router)
