"""The deterministic demo company (issue 3): a sales team with 18 months of CRM history. Later issues extend it.

`plan` draws a chunk of the company as numpy arrays (pure, seeded); `loader` writes chunks with bulk_create.
"""

from .loader import DEMO_LOGINS, DEMO_PASSWORD, DEMO_REPS, DEMO_SLUG, DEMO_TEAMS, DemoResult, demo_load
from .plan import SEED

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DEMO_REPS", "DEMO_SLUG", "DEMO_TEAMS", "SEED", "DemoResult", "demo_load"]
