"""Names a table or column may not take.

PostgreSQL's reserved key words (they would need quoting in every hand-written query), and
the names SQLAlchemy's declarative base keeps for itself, that the rendered models import,
or that the rendered tests use as local variables.
Python key words are checked with `keyword.iskeyword`.
"""

POSTGRESQL_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast
    check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user
    default deferrable desc distinct do else end except false fetch for foreign freeze from
    full grant group having ilike in initially inner intersect into is isnull join lateral
    leading left like limit localtime localtimestamp natural not notnull null offset on only
    or order outer overlaps placing primary references returning right select session_user
    similar some symmetric system_user table tablesample then to trailing true union unique
    user using variadic verbose when where window with
    """.split()
)

MODEL_MODULE_NAMES = frozenset(
    """
    base mapped metadata registry sa datetime decimal uuid postgresql any
    naming_convention type_annotation_map session
    """.split()
)

RESERVED_NAMES = POSTGRESQL_RESERVED | MODEL_MODULE_NAMES
