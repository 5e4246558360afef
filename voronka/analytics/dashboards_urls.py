"""URLs of the dashboard pages and the drill-down page (included by urls.py; app_name "analytics")."""

from django.urls import path

from .views import dashboard_plotly, dashboards, drill

urlpatterns = [
    path("dashboards/", dashboards.dashboard_company_view, name="dashboards"),
    path("dashboards/team/", dashboards.dashboard_team_view, name="dashboard-team"),
    path("dashboards/personal/", dashboards.dashboard_personal_view, name="dashboard-personal"),
    path("dashboards/all/", dashboards.dashboard_list_view, name="dashboard-list"),
    path("dashboards/new/", dashboards.dashboard_create_view, name="dashboard-create"),
    path("dashboards/<slug:kind>/customise/", dashboards.dashboard_customise_view, name="dashboard-customise"),
    path("dashboards/<int:dashboard_id>/", dashboards.dashboard_detail_view, name="dashboard-detail"),
    path("dashboards/<int:dashboard_id>/edit/", dashboards.dashboard_edit_view, name="dashboard-edit"),
    path("dashboards/<int:dashboard_id>/share/", dashboards.dashboard_share_view, name="dashboard-share"),
    path("dashboards/<int:dashboard_id>/delete/", dashboards.dashboard_delete_view, name="dashboard-delete"),
    path("drill/", drill.drill_view, name="drill"),
    path("plotly.css", dashboard_plotly.plotly_css_view, name="plotly-css"),
]
