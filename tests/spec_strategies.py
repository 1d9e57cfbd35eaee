"""Hypothesis strategies for the `models` grammar: valid specs, and mutations that break them.

Valid specs use every type, nullable columns, defaults at the edges of their type, unique and
indexed columns, references to earlier, later and the same table, and names up to the length
that keeps derived constraint names within PostgreSQL's 63 characters. Names carry the table's
or column's number, so two of them never derive the same generated name by accident; the
collisions are among the mutations, which each break the spec in one known way.
"""

from hypothesis import strategies as st

LETTERS = "abcdefghijklmnopqrstuvwxyz"
TEXT = "ABCxyz0129 _.,:@/+-"  # every kind of character a quoted default may hold
TYPES = "str text int bigint bool decimal float timestamp timestamptz date uuid json jsonb".split()
MAX_TABLES = 60
LONGEST_TABLE = 18  # fk_<table>_<column>_<table> = 3 + 18 + 1 + 20 + 1 + 18 = 61
LONGEST_COLUMN = 20
INTEGER_EDGES = {"int": 2**31, "bigint": 2**63}
LONGEST_DEFAULT = 49  # characters of a number, or of a text inside its quotes
FIXED_DEFAULTS = {
    "bool": ["true", "false"],
    "float": ["-1.5", "0", "123456.25", "-99999999999999"],
    "timestamp": ["now"],
    "timestamptz": ["now"],
    "date": ["now"],
}


def name(draw: st.DrawFn, prefix: str, number: int, longest: int) -> str:
    stem = f"{prefix}{number}_"
    return stem + draw(st.text(LETTERS, min_size=1, max_size=longest - len(stem)))


def integer_default(draw: st.DrawFn, keyword: str) -> str:
    edge = INTEGER_EDGES[keyword] // 2
    return str(draw(st.sampled_from([-edge, edge - 1, 0]) | st.integers(-edge, edge - 1)))


def decimal_default(draw: st.DrawFn, precision: int, scale: int) -> str | None:
    whole = "9" * (precision - scale) or "0"
    largest = f"{whole}.{'9' * scale}" if scale else whole
    fitting = [value for value in (largest, f"-{largest}", "0") if len(value) <= LONGEST_DEFAULT]
    return draw(st.sampled_from(fitting)) if len(fitting) == 3 else None


def text_default(draw: st.DrawFn, length: int) -> str:
    longest = min(length, LONGEST_DEFAULT)
    text = draw(st.sampled_from([":x", "", TEXT[:longest]]) | st.text(TEXT, max_size=longest))
    return f"'{text[:longest]}'"


def column_type(draw: st.DrawFn, keyword: str) -> tuple[str, str | None]:
    """The type as written, and a default that fits it (or None)."""
    if keyword == "str":
        length = draw(st.sampled_from([1, 2, 7, 8, 19, 20, 10_485_760]) | st.integers(1, 300))
        return f"str({length})", text_default(draw, length)
    if keyword == "decimal":
        precision = draw(st.sampled_from([1, 2, 38, 47, 1000]) | st.integers(1, 60))
        scale = draw(st.sampled_from([0, precision]) | st.integers(0, precision))
        return f"decimal({precision},{scale})", decimal_default(draw, precision, scale)
    if keyword in INTEGER_EDGES:
        return keyword, integer_default(draw, keyword)
    if keyword == "text":
        return keyword, text_default(draw, LONGEST_DEFAULT)
    choices = FIXED_DEFAULTS.get(keyword)
    return keyword, draw(st.sampled_from(choices)) if choices else None


def modifier(draw: st.DrawFn, type_text: str) -> str:
    allowed = [""]
    if type_text != "json":
        allowed.append(" index")
        if type_text not in ("bool", "decimal(1,0)", "decimal(1,1)"):
            allowed.append(" unique")
    return draw(st.sampled_from(allowed))


def plain_column(draw: st.DrawFn, column: str) -> str:
    type_text, default = column_type(draw, draw(st.sampled_from(TYPES)))
    nullable = "?" if draw(st.booleans()) else ""
    with_default = f" = {default}" if default is not None and draw(st.booleans()) else ""
    return f"{column} {type_text}{nullable}{with_default}{modifier(draw, type_text)}"


@st.composite
def valid_specs(draw: st.DrawFn, max_tables: int = MAX_TABLES) -> str:
    """A spec the parser must accept and the template must render into a working project."""
    count = draw(st.integers(1, max_tables))
    tables = [name(draw, "t", number, LONGEST_TABLE) for number in range(count)]
    written = []
    for number, table in enumerate(tables):
        columns = []
        for position in range(draw(st.integers(1, 5))):
            column = name(draw, "c", position, LONGEST_COLUMN)
            if draw(st.integers(0, 3)) == 0:
                target = draw(st.integers(0, count - 1))
                # Self and forward references are nullable, so any cycle can be broken.
                nullable = "?" if target >= number or draw(st.booleans()) else ""
                columns.append(f"{column} -> {tables[target]}{nullable}")
            else:
                columns.append(plain_column(draw, column))
        written.append(f"{table}: {', '.join(columns)}")
    return "; ".join(written)


# Each appends or changes one thing the grammar refuses, with a word of the expected message.
MUTATIONS = [
    (lambda spec: f"{spec}; zz_a: c0 -> zz_undefined", "which is not defined"),
    (lambda spec: f"{spec}; {spec.split(';')[0]}", "is defined twice"),
    (lambda spec: f"{spec}; select: c0 int", "is a reserved word"),
    (lambda spec: f"{spec}; zz_a: c0 int = 2147483648", "is out of range for int"),
    (lambda spec: f"{spec}; zz_a: c0 str(2) = 'abc'", "is 3 characters long; str(2) holds 2"),
    (lambda spec: f"{spec}; zz_a: c0 decimal(2,1) = 10", "does not fit decimal(2,1)"),
    (lambda spec: f"{spec}; zz_a: c0 json unique", "cannot be unique"),
    (lambda spec: f"{spec}; zz_a: c0 int = 'x'", "does not suit column"),
    (lambda spec: f"{spec}; zz_a: c0 int; zz_a_: c0 int", "both make the name 'ZzA'"),
    (lambda spec: f"{spec}; zz_a: c0 -> zz_b; zz_b: c0 -> zz_a", "make one of them nullable"),
    (lambda spec: f"{spec}; zz_a: c0 -> zz_a", "must be nullable"),
    (lambda spec: f"{spec}; zz_a: {'c' * 31} int", "at most 30 are allowed"),
    (lambda spec: f"{spec}; zz_a: c0 int $", "unexpected character '$'"),
    (lambda spec: f"{spec};;", "expected a table name"),
    (lambda spec: f"{spec}, str int", "makes the name 'str'"),
    (lambda spec: spec.replace(":", "", 1), "expected ':' after table"),
]
