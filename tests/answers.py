"""Answers the template's tests bake with, and what the rendered suite should then run."""

DEFAULT_MODELS = (
    "product: name str(100) = '', created_at timestamp = now; "
    "review: content str(1000) = '', rating decimal(2,1), created_at timestamp = now, "
    "product_id -> product"
)
# tests/test_fixtures_that_write.py: fixtures that write, then the test (six tests, one of
# them run twice), and two tasks writing at once under db_commit; in rollback mode also the
# two tests of what fails a rolled-back test (two tasks at once, sessions ending out of order).
FIXTURES_TEST_COUNT = {"rollback": 10, "truncate": 8}
# tests/test_migration_safety.py: squawk on each migration (the initial one), and the
# migration that gives up waiting for a lock.
SAFETY_TEST_COUNT = 2
# tests/test_seed.py: every test starts with the seed's rows (twice rolled back or truncated,
# twice under db_commit), and the leak guard takes none of them for a leak.
SEED_TEST_COUNT = 5
# The three files above, by isolation mode: every project has them, whatever its models.
SHARED_FILES_TEST_COUNT = {
    isolation: SAFETY_TEST_COUNT + fixtures + SEED_TEST_COUNT
    for isolation, fixtures in FIXTURES_TEST_COUNT.items()
}
# Two round trips and one cascade; five isolation checks, four migration checks, the
# data-migration example, the four settings checks, and the three files above.
DEFAULT_TEST_COUNT = 17 + SHARED_FILES_TEST_COUNT["rollback"]
# Without the check that other connections do not see a test's rows, and the fixtures' two
# rollback-only tests.
TRUNCATE_TEST_COUNT = 16 + SHARED_FILES_TEST_COUNT["truncate"]

# framework=fastapi adds, per table, the routes' happy path, 404 and 422 tests, and the 409
# test where it has a foreign key; four tests of requests inside the test's isolation, one
# of the app making its own session manager, and three of the two ways the app gets its
# session in a test (one per request, or the test's own).
API_TEST_COUNT = {"default": 3 + 4 + 8, "rich": 3 + 4 + 4 + 4 + 8}

# Four tables, every column type, a self-reference and three foreign keys between tables.
RICH_MODELS = (
    "customer: email str(254), display_name text?, is_active bool = true,"
    " signup_date date = now, profile json?;"
    " category: title str(80), parent_id -> category?;"
    " item: sku str(32), price decimal(10,2) = 0, weight float?, stock bigint = 0,"
    " quantity int = 1, attributes jsonb?, external_id uuid?, category_id -> category;"
    " order_line: placed_at timestamptz = now, shipped_at timestamp?, note text = 'none',"
    " customer_id -> customer, item_id -> item"
)
# Four round trips, three cascades (not the self-reference), and the same 31 fixed tests.
RICH_TEST_COUNT = 21 + SHARED_FILES_TEST_COUNT["rollback"]

# The longest names allowed, with foreign-key names of exactly PostgreSQL's 63 characters.
LONG_ANSWERS = {
    "project_name": ("Long Project Name " * 5)[:80],
    "project_slug": "a-long-project",
    "package_name": "package_name_of_thirty_letters",
    "database_name": "database_name_of_forty_characters_abcdef",
    "models": (
        f"{'p' * 10}_{'q' * 19}: {'c' * 30} timestamptz? = now, big decimal(1000,999),"
        f" {'s' * 30} str(10485760) = 'ab c';"
        f" {'r' * 18}: {'c' * 30} uuid;"
        f" {'t' * 20}: {'k' * 20} -> {'r' * 18}, zz -> {'p' * 10}_{'q' * 19}?, {'y' * 30} jsonb"
    ),
}

# The answers that change the rendered code. Rendering and the static checks (nothing left
# unrendered, ruff, ruff format, mypy --strict) cover every combination of them; running a
# rendered suite costs ten times as much, so the suites run a fixed sample (SUITES).
DRIVERS = ("asyncpg", "psycopg")
FRAMEWORKS = ("none", "fastapi")
ISOLATIONS = ("rollback", "truncate")
MODELS = {"default": DEFAULT_MODELS, "rich": RICH_MODELS}
MATRIX = {
    f"{framework}-{driver}-{isolation}-{models}": {
        "framework": framework,
        "driver": driver,
        "test_isolation": isolation,
        "models": spec,
    }
    for framework in FRAMEWORKS
    for driver in DRIVERS
    for isolation in ISOLATIONS
    for models, spec in MODELS.items()
}
# For each driver: the default answers, the rich models, and truncate isolation; each with
# the number of tests its suite runs.
SUITES = {
    f"{driver}-{name}": ({**answers, "driver": driver}, count)
    for driver in DRIVERS
    for name, answers, count in (
        ("default", {}, DEFAULT_TEST_COUNT),
        ("rich", {"models": RICH_MODELS}, RICH_TEST_COUNT),
        ("truncate", {"test_isolation": "truncate"}, TRUNCATE_TEST_COUNT),
    )
}
# framework=fastapi with each isolation mode and models answer, the drivers taking turns so
# that each pair of framework, driver and isolation mode runs at least once.
API_SUITES = {
    "asyncpg-default-rollback": (
        {"driver": "asyncpg"},
        DEFAULT_TEST_COUNT + API_TEST_COUNT["default"],
    ),
    "psycopg-default-truncate": (
        {"driver": "psycopg", "test_isolation": "truncate"},
        TRUNCATE_TEST_COUNT + API_TEST_COUNT["default"],
    ),
    "psycopg-rich-rollback": (
        {"driver": "psycopg", "models": RICH_MODELS},
        RICH_TEST_COUNT + API_TEST_COUNT["rich"],
    ),
    "asyncpg-rich-truncate": (
        {"driver": "asyncpg", "models": RICH_MODELS, "test_isolation": "truncate"},
        RICH_TEST_COUNT - 3 + API_TEST_COUNT["rich"],
    ),
}
