"""What every accounts page shares (kept as one import point for the accounts views)."""

from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status, posted, safe_next

from ..decorators import actor_required

__all__ = ["FORM_ERROR_STATUS", "actor_required", "add_service_error", "error_status", "posted", "safe_next"]
