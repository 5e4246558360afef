"""Every API operation belongs to a tag whose route matrix (R1, R3) enumerates it.

Each app's `tests/test_api_matrix.py` asserts that its matrix names exactly the operations of
its tags; this test makes sure no operation escapes under a tag nobody checks.
"""

from config.api import api

# tag → the matrix test that covers it
COVERED_TAGS = {
    "accounts": "voronka/accounts/tests/test_api_matrix.py",
    "crm:records": "voronka/crm/tests/test_api_matrix_records.py",
    "crm:deals": "voronka/crm/tests/test_api_matrix_deals.py",
    "crm:imports": "voronka/crm/tests/test_api_matrix_imports.py",
    "metrics": "voronka/metrics/tests/test_api_matrix.py",
    "goals": "voronka/goals/tests/test_api_matrix.py",
    "funnel": "voronka/funnel/tests/test_api_matrix.py",
}


def test_every_operation_is_under_a_checked_tag() -> None:
    schema = api.get_openapi_schema()
    unchecked = sorted(
        f"{method.upper()} {path} tags={operation.get('tags')}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not set(operation.get("tags", ())) & set(COVERED_TAGS)
    )
    assert unchecked == []
