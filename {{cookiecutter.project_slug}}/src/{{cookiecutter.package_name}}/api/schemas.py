{%- set tables = cookiecutter.models | parse_models(cookiecutter.framework) -%}
"""What the API reads and writes, per table: <Model>Create is a request body that adds a
row, <Model>Read a row as the API returns it.

Made from the same spec as models.py: Read has the models' types; Create also holds
the limits the database would enforce (a str(n)'s length, a decimal's digits, an
int's range, a naive or an aware datetime), so a bad value is a 422 naming the field,
not a 500. A field the database can fill in (a server default, or NULL) may be left
out or sent as null, and the database fills it in.
"""

{% for line in tables | model_imports -%}
{{ line }}
{% endfor %}
from pydantic import {{ tables | pydantic_imports | join(", ") }}
{%- for table in tables %}


class {{ table.create_schema }}(BaseModel):
{%- for column in table.columns %}
{{ column | create_field }}
{%- endfor %}


class {{ table.read_schema }}(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
{%- for column in table.columns %}
    {{ column.name }}: {{ column.annotation }}
{%- endfor %}
{%- endfor %}
