from django.contrib import admin
from django.urls import include, path

from voronka.accounts import views as account_views

from .api import api, api_docs

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("voronka.accounts.urls")),
    path("crm/", include("voronka.crm.urls")),
    path("channels/", include("voronka.channels.urls")),
    path("metrics/", include("voronka.metrics.urls")),
    path("goals/", include("voronka.goals.urls")),
    path("funnel/", include("voronka.funnel.urls")),
    path("analytics/", include("voronka.analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "voronka.core.views.page_not_found"
handler403 = "voronka.core.views.permission_denied"
handler400 = "voronka.core.views.bad_request"
handler500 = "voronka.core.views.server_error"
