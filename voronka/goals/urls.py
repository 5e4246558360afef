from django.urls import path

from .views import alerts, goals, objectives, split

app_name = "goals"
urlpatterns = [
    path("", goals.goal_list_view, name="goal-list"),
    path("new/", goals.goal_create_view, name="goal-create"),
    path("check/", goals.goal_check_view, name="goal-check"),
    path("<int:goal_id>/", goals.goal_detail_view, name="goal-detail"),
    path("<int:goal_id>/edit/", goals.goal_edit_view, name="goal-edit"),
    path("<int:goal_id>/archive/", goals.goal_archive_view, name="goal-archive"),
    path("<int:goal_id>/split/", split.goal_split_view, name="goal-split"),
    path("objectives/", objectives.objective_list_view, name="objective-list"),
    path("objectives/<int:objective_id>/edit/", objectives.objective_edit_view, name="objective-edit"),
    path("alerts/", alerts.alert_list_view, name="alert-list"),
    path("alerts/<int:alert_id>/acknowledge/", alerts.alert_acknowledge_view, name="alert-acknowledge"),
    path("alerts/rules/", alerts.rule_list_view, name="rule-list"),
    path("alerts/rules/new/", alerts.rule_create_view, name="rule-create"),
    path("alerts/rules/<int:rule_id>/edit/", alerts.rule_edit_view, name="rule-edit"),
    path("alerts/rules/<int:rule_id>/delete/", alerts.rule_delete_view, name="rule-delete"),
    path("notifications/", alerts.notification_list_view, name="notification-list"),
    path("notifications/read-all/", alerts.notification_read_all_view, name="notification-read-all"),
    path("notifications/<int:notification_id>/read/", alerts.notification_read_view, name="notification-read"),
]
