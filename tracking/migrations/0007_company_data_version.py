"""A business's data version, kept by PostgreSQL itself (tracking.page_cache).

Every INSERT, UPDATE and DELETE on a table whose rows a page of a business shows moves
`tracking_company.data_version` of the businesses the statement touched: one statement-level
trigger per event, reading the statement's transition table (a bulk write costs what one
row does), notes the businesses, and they move when the transaction commits (BUMP below). An UPDATE of the business row itself moves it too (BEFORE trigger),
and a change to a person's name or e-mail moves every business they belong to.

The new version is the server's clock in microseconds (or the old one plus one, if the clock
went back), never a number used before: after a restore from a backup, the restored version
names the backup's data, and the next write gets a version later than any the replaced
database had, so no page kept from before the restore is taken for the new data.

The tables are frozen here as they are today; a table added later gets its triggers in its own
migration with `page_version_sql` (tests/test_page_cache.py fails until it has them).
"""

from django.db import migrations, models

# table -> the SELECT of the company ids a statement touched, over its transition table `changed`.
# Many-to-many tables are here too (a "keep testing" mark is a row of sprints_review_kept_in_test).
_DIRECT = "SELECT company_id FROM changed"


def _via(parent: str, column: str) -> str:
    # The ids first, into an array, then the parent rows by primary key: a transition table has
    # no statistics, and a join would let the planner scan the whole parent table (the
    # statement cost milliseconds instead of microseconds).
    return f"SELECT company_id FROM {parent} WHERE id = ANY(ARRAY(SELECT {column} FROM changed))"


TABLES = {
    "tracking_membership": _DIRECT,
    "tracking_constraint": _DIRECT,
    "tracking_metric": _DIRECT,
    "tracking_goal": _DIRECT,
    "tracking_whystep": _via("tracking_constraint", "constraint_id"),
    "tracking_constraintevent": _via("tracking_constraint", "constraint_id"),
    "tracking_metricvalue": _via("tracking_metric", "metric_id"),
    "custdev_custdevsettings": _DIRECT,
    "custdev_script": _DIRECT,
    "custdev_interview": _DIRECT,
    "custdev_tag": _DIRECT,
    "custdev_insight": _DIRECT,
    "custdev_highlight": _via("custdev_interview", "interview_id"),
    "custdev_highlight_tags": _via("custdev_tag", "tag_id"),
    "custdev_insight_highlights": _via("custdev_insight", "insight_id"),
    "toolkit_conversionmetric": _DIRECT,
    "toolkit_uniteconomics": _DIRECT,
    "toolkit_snapshot": _DIRECT,
    "hypotheses_hypothesis": _DIRECT,
    "hypotheses_hypothesisevent": _via("hypotheses_hypothesis", "hypothesis_id"),
    "hypotheses_scriptlink": _via("hypotheses_hypothesis", "hypothesis_id"),
    "sprints_sprint": _DIRECT,
    "sprints_action": _via("sprints_sprint", "sprint_id"),
    "sprints_review": _via("sprints_sprint", "sprint_id"),
    "sprints_review_kept_in_test": _via("hypotheses_hypothesis", "hypothesis_id"),
    "sprints_sprintreport": _via("sprints_sprint", "sprint_id"),
}


def page_version_sql(table: str, companies: str) -> tuple[str, str]:
    """(create, drop) SQL of one table's triggers. An INSERT reads its new rows, a DELETE its
    old ones, an UPDATE both: a row moved to another business moves both businesses."""
    moved = f"{companies} UNION {companies.replace('changed', 'previous')}"
    functions = {f"page_version_{table}": companies, f"page_version_{table}_moved": moved}
    create = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM page_version_note(ARRAY(SELECT DISTINCT company_id FROM ({select}) touched));
  RETURN NULL;
END $$;"""
        for function, select in functions.items()
    ]
    single, moved_function = functions
    create += [
        f"CREATE TRIGGER page_version_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {single}();",
        f"CREATE TRIGGER page_version_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS previous NEW TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {moved_function}();",
        f"CREATE TRIGGER page_version_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {single}();",
    ]
    drop = [f"DROP TRIGGER IF EXISTS page_version_{event} ON {table};" for event in ("insert", "update", "delete")]
    drop += [f"DROP FUNCTION IF EXISTS {function}();" for function in functions]
    return "\n".join(create), "\n".join(drop)


COMPANY = (
    """CREATE OR REPLACE FUNCTION page_version_company() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.data_version := GREATEST(OLD.data_version + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
  RETURN NEW;
END $$;
CREATE TRIGGER page_version_update BEFORE UPDATE ON tracking_company
  FOR EACH ROW EXECUTE FUNCTION page_version_company();""",
    "DROP TRIGGER IF EXISTS page_version_update ON tracking_company; DROP FUNCTION IF EXISTS page_version_company();",
)

# What pages show of a person: the name, the e-mail (a member's label). Not the last sign-in.
USER = (
    """CREATE OR REPLACE FUNCTION page_version_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM page_version_note(ARRAY(SELECT company_id FROM tracking_membership WHERE user_id = NEW.id));
  RETURN NULL;
END $$;
CREATE TRIGGER page_version_update AFTER UPDATE ON tracking_user FOR EACH ROW
  WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION page_version_user();""",
    "DROP TRIGGER IF EXISTS page_version_update ON tracking_user; DROP FUNCTION IF EXISTS page_version_user();",
)


# When the versions move. A statement's trigger only notes the businesses it touched (a
# transaction-local setting); one deferred constraint trigger moves them all when the
# transaction commits, in the order of their ids. So a business row is locked only for the
# moment of the commit: two transactions that lock other rows of one business in opposite
# orders wait for each other as they did before, instead of deadlocking on the business row
# they would otherwise both have locked at their first write. A rolled-back transaction (or
# savepoint) moves nothing. With `page_cache.bump = statement` (tests/settings.py: a test runs
# in one transaction that never commits) each statement moves them at once.
BUMP = (
    """CREATE TABLE page_version_flush (id bigserial PRIMARY KEY);
CREATE OR REPLACE FUNCTION page_version_bump(companies bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  company bigint;
BEGIN
  FOR company IN SELECT DISTINCT c FROM unnest(companies) c WHERE c IS NOT NULL ORDER BY c LOOP
    UPDATE tracking_company SET data_version = data_version + 1 WHERE id = company;
  END LOOP;
END $$;
CREATE OR REPLACE FUNCTION page_version_note(companies bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  pending text := coalesce(current_setting('page_cache.pending', true), '');
BEGIN
  IF coalesce(cardinality(companies), 0) = 0 THEN
    RETURN;
  END IF;
  IF current_setting('page_cache.bump', true) = 'statement' THEN
    PERFORM page_version_bump(companies);
  ELSIF pending = '' THEN
    PERFORM set_config('page_cache.pending', companies::text, true);
    INSERT INTO page_version_flush DEFAULT VALUES;
  ELSE
    PERFORM set_config('page_cache.pending', (pending::bigint[] || companies)::text, true);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION page_version_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pending text := coalesce(current_setting('page_cache.pending', true), '');
BEGIN
  PERFORM set_config('page_cache.pending', '', true);
  IF pending <> '' THEN
    PERFORM page_version_bump(pending::bigint[]);
  END IF;
  DELETE FROM page_version_flush WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER page_version_flush AFTER INSERT ON page_version_flush
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_version_flush();""",
    """DROP TABLE IF EXISTS page_version_flush; DROP FUNCTION IF EXISTS page_version_flush();
DROP FUNCTION IF EXISTS page_version_note(bigint[]); DROP FUNCTION IF EXISTS page_version_bump(bigint[]);""",
)


def _all():
    yield BUMP
    yield COMPANY
    yield USER
    for table, companies in TABLES.items():
        yield page_version_sql(table, companies)


def _forward(apps, schema_editor):
    for create, _drop in _all():
        schema_editor.execute(create)


def _backward(apps, schema_editor):
    for _create, drop in reversed(list(_all())):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0006_outbox"),
        ("sprints", "0006_text_without_control_characters"),
        ("hypotheses", "0006_search_columns"),
        ("custdev", "0002_interview_submission"),
        ("toolkit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="data_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(_forward, _backward),
    ]
