"""Reading import files: pure parsing with no Django import (encodings, delimiters, headers, values).

The service layer (crm.services.imports) owns the database side; everything here takes bytes or
file objects and returns plain data, so it is tested without a database.
"""

from .detect import FileInfo, inspect_file
from .errors import ImportFileError, RowError
from .fields import FIELDS, MULTI_FIELDS, REQUIRED_ANY, guess_mapping, unique_headers
from .reader import count_rows, iter_rows

__all__ = [
    "FIELDS", "MULTI_FIELDS", "REQUIRED_ANY", "FileInfo", "ImportFileError", "RowError", "count_rows", "guess_mapping",
    "inspect_file", "iter_rows", "unique_headers",
]
