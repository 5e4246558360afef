"""Importing companies, contacts and deals from CSV/XLSX (issue 3 item 4; SECURITY.md R9, R14, R22).

`import_start` (starting.py) checks and stores the upload and guesses the mapping; `import_confirm`
queues the run; `import_run` (running.py, the task body) streams the file in chunks: each row is
validated and normalised without the database (crm.importing), then each chunk is matched with a few
queries and written in bulk in one transaction (contacts.py, companies.py, deals.py, sharing
matching.py and bulk_sql.py). Matching updates instead of creating, so the same file twice creates
nothing new; rows that fail go to a CSV report with the reason. `import_uploads_purge` (retention.py)
deletes stored uploads of finished imports after CRM_IMPORT_RETENTION_DAYS.
"""

from .messages import FIELD_LABELS, file_error_message, row_error_message
from .retention import import_uploads_purge, retention_days
from .running import CHUNK_ROWS, LARGE_IMPORT_ROWS, import_run
from .starting import (
    HOURLY_QUOTA,
    import_confirm,
    import_preview_rows,
    import_start,
    max_import_bytes,
    validate_mapping,
)

__all__ = [
    "CHUNK_ROWS", "FIELD_LABELS", "HOURLY_QUOTA", "LARGE_IMPORT_ROWS", "file_error_message", "import_confirm",
    "import_preview_rows", "import_run", "import_start", "import_uploads_purge", "max_import_bytes",
    "retention_days", "row_error_message", "validate_mapping",
]
