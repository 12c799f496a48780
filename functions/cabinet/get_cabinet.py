from comptasecure.domain import cabinet
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.cabinet import CabinetView

router = api_router()


@router.get("/cabinet")
def get_cabinet() -> CabinetView:
    """Read the firm information.

    The fields every CRM starts from (identification, address, Ordre registration, signatory…); `null`
    for an empty one.
    """
    caller = current_caller(router)
    return CabinetView(fields=cabinet.get(caller.account_id))


handler = lambda_handler(router)
