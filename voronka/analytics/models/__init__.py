from .dashboards import *  # noqa: F403 — each module lists its models in __all__
from .reports import *  # noqa: F403
