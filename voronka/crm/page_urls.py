"""URLs of the CRM pages: the board, the deal page, quick add, my tasks; the list pages come from list_urls."""

from django.urls import path

from .list_urls import urlpatterns as list_patterns
from .views import board, deal_detail, quick_add, tasks

board_patterns = [
    path("board/", board.board_view, name="board"),
    path("board/columns/<int:stage_id>/", board.board_column_view, name="board-column"),
    path("deals/new/", deal_detail.deal_create_view, name="deal-create"),
    path("deals/<int:deal_id>/", deal_detail.deal_detail_view, name="deal-detail"),
    path("deals/<int:deal_id>/move/", board.deal_move_view, name="deal-move"),
    path("deals/<int:deal_id>/won/", deal_detail.deal_won_view, name="deal-won"),
    path("deals/<int:deal_id>/lost/", deal_detail.deal_lost_view, name="deal-lost"),
    path("deals/<int:deal_id>/reopen/", deal_detail.deal_reopen_view, name="deal-reopen"),
    path("deals/<int:deal_id>/fields/<slug:field>/", deal_detail.deal_field_view, name="deal-field"),
    path("activities/quick-add/", quick_add.activity_quick_add_view, name="activity-quick-add"),
    path("tasks/", tasks.my_tasks_view, name="my-tasks"),
    path("tasks/<int:activity_id>/done/", tasks.task_done_view, name="task-done"),
]

urlpatterns = [*board_patterns, *list_patterns]
