"""Database helpers that Django's ORM does not offer."""

from django.db import connection, models
from django.db.models import Q, Subquery

# Parameters per statement stay well under PostgreSQL's limit (65,535).
_MAX_PARAMS = 30000


def insert_new(objs: list[models.Model]) -> int:
    """Insert these rows, skipping any that a unique constraint already holds, and count the
    rows really inserted (bulk_create(ignore_conflicts=True) returns every row it was given,
    so two dispatchers racing each counted them all). INSERT … ON CONFLICT DO NOTHING
    RETURNING answers with the inserted rows only."""
    if not objs:
        return 0
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    per_statement = max(1, _MAX_PARAMS // len(fields))
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in batch for f in fields]
            rows = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {rows} ON CONFLICT DO NOTHING RETURNING {pk}",
                values,
            )
            inserted += len(cursor.fetchall())
    return inserted


def aliased_columns(model: type[models.Model], alias: str, prefix: str) -> str:
    """The model's columns read from the table `alias` under `prefix` and their attribute
    names, for a statement that reads a model's row beside another's."""
    return ", ".join(
        f"{alias}.{connection.ops.quote_name(field.column)} AS {prefix}{field.attname}"
        for field in model._meta.concrete_fields
    )


def instance_beside(row: models.Model, model: type[models.Model], prefix: str) -> models.Model:
    """The `model` instance whose columns came beside `row`'s (a raw query's) under `prefix`
    (aliased_columns). For models without a field the database hands back for conversion
    (as JSON): the values are taken as read."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(row._state.db, names, [getattr(row, f"{prefix}{name}") for name in names])


def newest_first(queryset, fields, *, size: int = 2000):
    """The rows of `queryset` as tuples of `fields` (which end with "pk"), newest first (by
    created_at, then id), never more than `size` of them in memory: an export of up to `size`
    rows is one plain query; a longer one reads the rest after the first `size` through a
    server-side cursor, whose round trips only a long export pays. The rest starts after the
    last row read, whose created_at the statement looks up by its id: the rows carry no
    timestamp, which costs more to load than any other column."""
    if fields[-1] != "pk":
        raise ValueError(f"newest_first's fields end with pk, not {fields[-1]}")
    rows = queryset.order_by("-created_at", "-pk").values_list(*fields)
    first = list(rows[: size + 1])
    yield from first[:size]
    if len(first) <= size:
        return
    pk = first[size - 1][-1]
    created_at = Subquery(queryset.model.objects.filter(pk=pk).values("created_at")[:1])
    older = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    yield from older.iterator(chunk_size=size)
