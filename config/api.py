"""The one NinjaAPI, mounted at /api/v1/; each app contributes a Router."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view

from voronka.accounts.api import router as accounts_router
from voronka.accounts.api_auth import BearerTokenAuth, SessionActorAuth
from voronka.analytics.api import router as analytics_router
from voronka.core.api import install_error_handlers
from voronka.crm.api import router as crm_router
from voronka.funnel.api import router as funnel_router
from voronka.goals.api import router as goals_router
from voronka.metrics.api import router as metrics_router

API_DESCRIPTION = """
Voronka's JSON API.

**Authentication.** Send `Authorization: Bearer <token>` (create a token on the *API tokens*
page or with `voronka token --email E`; a token belongs to one workspace), or use the browser
session, in which case unsafe methods need the `X-CSRFToken` header.

**Errors.** Every error is JSON `{"code", "message", "fields"}` with a 4xx status:
`not_authenticated` (401), `permission_denied` and `csrf_failed` (403), `not_found` (404, also for
another workspace's records), `conflict` (409), `request_too_large` (413), `validation_error` (422),
`malformed_json` (400), `throttled` (429).

**Pagination.** Lists take `limit` (1–200, default 50) and `offset` (default 0) and answer
`{"items": [...], "count": <total>, "limit": L, "offset": O}`.
"""

api = NinjaAPI(
    title="Voronka API",
    version="1",
    description=API_DESCRIPTION,
    auth=[BearerTokenAuth(), SessionActorAuth()],
    docs_url=None,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", crm_router)
for _router in (metrics_router, goals_router, funnel_router, analytics_router):
    api.add_router("/", _router)


def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI served from django-ninja's bundled static files (no CDN, CSP-safe)."""
    return openapi_view(request, api=api)
