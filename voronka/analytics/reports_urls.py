"""URLs of the reports pages and the channel comparison (included by urls.py, namespace "analytics")."""

from django.urls import URLPattern, path

from .views import channels, reports

urlpatterns: list[URLPattern] = [
    path("reports/", reports.report_builder_view, name="reports"),
    path("reports/export/", reports.report_export_view, name="report-export"),
    path("reports/save/", reports.report_save_view, name="report-save"),
    path("reports/saved/", reports.saved_reports_view, name="reports-saved"),
    path("reports/<int:report_id>/", reports.report_detail_view, name="report-detail"),
    path("reports/<int:report_id>/update/", reports.report_update_view, name="report-update"),
    path("reports/<int:report_id>/delete/", reports.report_delete_view, name="report-delete"),
    path("reports/<int:report_id>/subscribe/", reports.report_subscribe_view, name="report-subscribe"),
    path("reports/<int:report_id>/unsubscribe/", reports.report_unsubscribe_view, name="report-unsubscribe"),
    path("channels/", channels.channel_comparison_view, name="channels"),
]
