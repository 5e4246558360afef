from .alerts import Alert, AlertKind, AlertRule, Comparison, ControlGrain, EmailState, Notification, Window
from .goals import Goal, GoalStatus, Objective, PaceMethod, PeriodKind, ScopeKind

__all__ = [
    "Alert", "AlertKind", "AlertRule", "Comparison", "ControlGrain", "EmailState", "Goal", "GoalStatus",
    "Notification", "Objective", "PaceMethod", "PeriodKind", "ScopeKind", "Window",
]
