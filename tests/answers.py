"""Answers the template's tests bake with, and what the rendered suite should then run."""

DEFAULT_MODELS = (
    "product: name str(100) = '', created_at timestamp = now; "
    "review: content str(1000) = '', rating decimal(2,1), created_at timestamp = now, "
    "product_id -> product"
)
# Two round trips and one cascade; five isolation checks, four migration checks and the
# four settings checks.
DEFAULT_TEST_COUNT = 16
# Without the check that other connections do not see a test's rows.
TRUNCATE_TEST_COUNT = 15

# framework=fastapi adds, per table, the routes' happy path, 404 and 422 tests, and the 409
# test where it has a foreign key; four tests of requests inside the test's isolation, and
# one of the app making its own session manager.
API_TEST_COUNT = {"default": 3 + 4 + 5, "rich": 3 + 4 + 4 + 4 + 5}

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
# Four round trips, three cascades (not the self-reference), and the same thirteen fixed tests.
RICH_TEST_COUNT = 20

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
