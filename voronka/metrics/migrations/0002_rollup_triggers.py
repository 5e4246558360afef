"""Triggers that keep the daily rollups honest (docs/adr/0005-metric-rollups.md).

A write to a row a rollup reads records a marker: the rollup and the UTC day the row is dated on,
before and after the change. The engine reads marked days from the rows, not from the rollup, until
the refresh has recomputed them. A change that alters every day at once (a channel's fee, a stage's
probability, order or kind) deletes the rollup's coverage instead, and the next refresh rebuilds it.

SQLite: row triggers; a marker already waiting for the same day is enough (SQLite has one writer at a
time and the refresh holds the write lock). PostgreSQL: statement triggers over the transition tables
(one INSERT per statement, whatever the number of rows), each marker stamped with its transaction id.
"""

from django.db import migrations

# A mark is (rollup, SQL for the UTC day, SQL for the UTC hour) of a row named {row}; a date field has no
# hour. Django stores moments as UTC text ('YYYY-MM-DD HH:MM:SS…') on SQLite.
SQLITE_DAY = "substr({row}.{column}, 1, 10)"
SQLITE_HOUR = "CAST(substr({row}.{column}, 12, 2) AS INTEGER)"
PG_DAY = "({row}.{column} AT TIME ZONE 'UTC')::date"
PG_HOUR = "EXTRACT(HOUR FROM {row}.{column} AT TIME ZONE 'UTC')::smallint"


def _moment(dialect, rollup, column):
    day, hour = (SQLITE_DAY, SQLITE_HOUR) if dialect == "sqlite" else (PG_DAY, PG_HOUR)
    return (rollup, day.replace("{column}", column), hour.replace("{column}", column))


def _deal_marks(dialect):
    no_hour = "NULL" if dialect == "sqlite" else "NULL::smallint"
    return [
        _moment(dialect, "deals_closed", "closed_at"),
        _moment(dialect, "deals_created", "created_at"),
        _moment(dialect, "deals_reached", "created_at"),
        ("deals_open", "{row}.expected_close_date", no_hour),
    ]


SQLITE_NEW_ONLY = (
    "WHERE c.day IS NOT NULL AND NOT EXISTS (SELECT 1 FROM metrics_rollupmarker AS m "
    "WHERE m.workspace_id = c.workspace_id AND m.rollup = c.rollup AND m.day = c.day AND m.hour IS c.hour)"
)


def _sqlite_insert(row, marks):
    """Markers for one changed row (NEW or OLD), unless the same marker already waits."""
    union = " UNION ALL ".join(
        f"SELECT {row}.workspace_id AS workspace_id, '{rollup}' AS rollup, {day.format(row=row)} AS day, "
        f"{hour.format(row=row)} AS hour"
        for rollup, day, hour in marks
    )
    return (
        "INSERT INTO metrics_rollupmarker (workspace_id, rollup, day, hour, txid) "
        f"SELECT DISTINCT c.workspace_id, c.rollup, c.day, c.hour, 0 FROM ({union}) AS c {SQLITE_NEW_ONLY};"
    )


def _sqlite_row_triggers(table, name, marks):
    return [
        f"CREATE TRIGGER metrics_mark_{name}_insert AFTER INSERT ON {table} BEGIN "
        f"{_sqlite_insert('NEW', marks)} END;",
        f"CREATE TRIGGER metrics_mark_{name}_update AFTER UPDATE ON {table} BEGIN "
        f"{_sqlite_insert('NEW', marks)} {_sqlite_insert('OLD', marks)} END;",
        f"CREATE TRIGGER metrics_mark_{name}_delete AFTER DELETE ON {table} BEGIN "
        f"{_sqlite_insert('OLD', marks)} END;",
    ]


def _sqlite_forward():
    of_deal = "(SELECT {part} FROM crm_deal AS d WHERE d.id = {{row}}.deal_id)"
    transition_mark = ("deals_reached", of_deal.format(part="substr(d.created_at, 1, 10)"),
                       of_deal.format(part="CAST(substr(d.created_at, 12, 2) AS INTEGER)"))
    company_deal = ("INSERT INTO metrics_rollupmarker (workspace_id, rollup, day, hour, txid) "
                    "SELECT DISTINCT c.workspace_id, c.rollup, c.day, c.hour, 0 FROM ("
                    + " UNION ALL ".join(
                        f"SELECT d.workspace_id AS workspace_id, '{rollup}' AS rollup, {day.format(row='d')} AS day, "
                        f"{hour.format(row='d')} AS hour FROM crm_deal AS d WHERE d.company_id = NEW.id"
                        for rollup, day, hour in _deal_marks("sqlite") if rollup != "deals_reached")
                    + f") AS c {SQLITE_NEW_ONLY};")
    return [
        *_sqlite_row_triggers("crm_deal", "deal", _deal_marks("sqlite")),
        *_sqlite_row_triggers("crm_activity", "activity", [_moment("sqlite", "activities_done", "done_at")]),
        *_sqlite_row_triggers("crm_stagetransition", "transition", [transition_mark]),
        "CREATE TRIGGER metrics_mark_company_industry AFTER UPDATE OF industry ON crm_company "
        f"WHEN OLD.industry IS NOT NEW.industry BEGIN {company_deal} END;",
        "CREATE TRIGGER metrics_invalidate_channel_fee AFTER UPDATE OF fee_percent ON channels_saleschannel "
        "WHEN OLD.fee_percent IS NOT NEW.fee_percent BEGIN DELETE FROM metrics_rollupcoverage "
        "WHERE workspace_id = NEW.workspace_id AND rollup = 'deals_closed'; END;",
        'CREATE TRIGGER metrics_invalidate_stage AFTER UPDATE ON crm_stage WHEN OLD.probability IS NOT NEW.probability '
        'OR OLD."order" IS NOT NEW."order" OR OLD.kind IS NOT NEW.kind OR OLD.pipeline_id IS NOT NEW.pipeline_id '
        "BEGIN DELETE FROM metrics_rollupcoverage WHERE workspace_id = NEW.workspace_id "
        "AND rollup IN ('deals_open', 'deals_reached'); END;",
    ]


SQLITE_TRIGGERS = [
    *(f"metrics_mark_{name}_{event}" for name in ("deal", "activity", "transition")
      for event in ("insert", "update", "delete")),
    "metrics_mark_company_industry", "metrics_invalidate_channel_fee", "metrics_invalidate_stage",
]

PG_TXID = "pg_current_xact_id()::text::bigint"


def _pg_insert(selects):
    """Markers for every row of a transition table, once per transaction, day and hour."""
    union = " UNION ALL ".join(selects)
    return (
        "INSERT INTO metrics_rollupmarker (workspace_id, rollup, day, hour, txid) "
        f"SELECT DISTINCT c.workspace_id, c.rollup, c.day, c.hour, {PG_TXID} FROM ({union}) AS c "
        "WHERE c.day IS NOT NULL AND NOT EXISTS (SELECT 1 FROM metrics_rollupmarker AS m "
        "WHERE m.workspace_id = c.workspace_id AND m.rollup = c.rollup AND m.day = c.day "
        f"AND m.hour IS NOT DISTINCT FROM c.hour AND m.txid = {PG_TXID});"
    )


def _pg_selects(rows, marks, join=""):
    return [f"SELECT r.workspace_id, '{rollup}'::varchar AS rollup, {day.format(row='r')} AS day, "
            f"{hour.format(row='r')} AS hour FROM {rows} AS r{join}" for rollup, day, hour in marks]


def _pg_table_function(name, marks, join=""):
    new = _pg_insert(_pg_selects("metrics_new_rows", marks, join))
    old = _pg_insert(_pg_selects("metrics_old_rows", marks, join))
    return (
        f"CREATE OR REPLACE FUNCTION metrics_mark_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'DELETE' THEN {new} END IF; "
        f"IF TG_OP <> 'INSERT' THEN {old} END IF; "
        "RETURN NULL; END $$;"
    )


def _pg_statement_triggers(table, name):
    function = f"metrics_mark_{name}()"
    return [
        f"CREATE TRIGGER metrics_mark_{name}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS "
        f"metrics_new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function};",
        f"CREATE TRIGGER metrics_mark_{name}_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS "
        f"metrics_old_rows NEW TABLE AS metrics_new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function};",
        f"CREATE TRIGGER metrics_mark_{name}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
        f"metrics_old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function};",
    ]


def _pg_forward():
    deal_marks = _deal_marks("postgresql")
    transition_marks = [_moment("postgresql", "deals_reached", "created_at")]
    transition_marks = [(rollup, day.replace("{row}.", "d."), hour.replace("{row}.", "d."))
                        for rollup, day, hour in transition_marks]
    company_selects = [
        f"SELECT d.workspace_id, '{rollup}'::varchar AS rollup, {day.replace('{row}.', 'd.')} AS day, "
        f"{hour.replace('{row}.', 'd.')} AS hour FROM metrics_new_rows AS n "
        "JOIN metrics_old_rows AS o ON o.id = n.id JOIN crm_deal AS d ON d.company_id = n.id "
        "WHERE o.industry IS DISTINCT FROM n.industry"
        for rollup, day, hour in deal_marks if rollup != "deals_reached"
    ]
    return [
        _pg_table_function("deal", deal_marks),
        *_pg_statement_triggers("crm_deal", "deal"),
        _pg_table_function("activity", [_moment("postgresql", "activities_done", "done_at")]),
        *_pg_statement_triggers("crm_activity", "activity"),
        _pg_table_function("transition", transition_marks, join=" JOIN crm_deal AS d ON d.id = r.deal_id"),
        *_pg_statement_triggers("crm_stagetransition", "transition"),
        "CREATE OR REPLACE FUNCTION metrics_mark_company() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_pg_insert(company_selects)} RETURN NULL; END $$;",
        "CREATE TRIGGER metrics_mark_company_industry AFTER UPDATE ON crm_company REFERENCING OLD TABLE AS "
        "metrics_old_rows NEW TABLE AS metrics_new_rows FOR EACH STATEMENT EXECUTE FUNCTION metrics_mark_company();",
        "CREATE OR REPLACE FUNCTION metrics_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "DELETE FROM metrics_rollupcoverage WHERE workspace_id = NEW.workspace_id AND rollup = ANY(TG_ARGV); "
        "RETURN NULL; END $$;",
        "CREATE TRIGGER metrics_invalidate_channel_fee AFTER UPDATE ON channels_saleschannel FOR EACH ROW "
        "WHEN (OLD.fee_percent IS DISTINCT FROM NEW.fee_percent) EXECUTE FUNCTION metrics_invalidate('deals_closed');",
        "CREATE TRIGGER metrics_invalidate_stage AFTER UPDATE ON crm_stage FOR EACH ROW "
        'WHEN (OLD.probability IS DISTINCT FROM NEW.probability OR OLD."order" IS DISTINCT FROM NEW."order" '
        "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id) "
        "EXECUTE FUNCTION metrics_invalidate('deals_open', 'deals_reached');",
    ]


PG_TRIGGERS = [
    *((f"metrics_mark_{name}_{event}", table) for name, table in (
        ("deal", "crm_deal"), ("activity", "crm_activity"), ("transition", "crm_stagetransition"))
      for event in ("insert", "update", "delete")),
    ("metrics_mark_company_industry", "crm_company"),
    ("metrics_invalidate_channel_fee", "channels_saleschannel"),
    ("metrics_invalidate_stage", "crm_stage"),
]
PG_FUNCTIONS = ["metrics_mark_deal", "metrics_mark_activity", "metrics_mark_transition", "metrics_mark_company",
                "metrics_invalidate"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = _pg_forward() if vendor == "postgresql" else _sqlite_forward() if vendor == "sqlite" else []
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for trigger, table in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        for function in PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}();")
    elif vendor == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_rollups"),
        ("crm", "0004_metric_cover_indexes"),
        ("channels", "0002_economics_constraints"),
    ]
    operations = [migrations.RunPython(forward, backward)]
