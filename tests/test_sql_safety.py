"""SQL text built from catalogue values: identifiers are checked, literals quoted (etl.sql)."""
import duckdb
import pytest

from etl.metrics.plan import plan_views_sql
from etl.reference import load_catalogue
from etl.sql import identifier, literal, literal_list
from etl.warehouse import ensure_schema


def test_identifiers_are_plain_names():
    assert identifier("it_computers") == "it_computers"
    for bad in ("x; DROP TABLE survey", "Students", "1abc", "a b", "", "ten_có_dấu", 'x"--', None):
        with pytest.raises(ValueError, match="không hợp lệ làm tên cột"):
            identifier(bad)


def test_literals_are_quoted():
    con = duckdb.connect()
    hostile = "x'); DROP TABLE t; --"
    assert con.execute(f"SELECT {literal(hostile)}").fetchone()[0] == hostile
    values = ["a", "b'c", None]
    assert con.execute(f"SELECT [{literal_list(values)}]").fetchone()[0] == values
    assert con.execute(f"SELECT {literal(2)} + {literal(1.5)}, {literal(True)}").fetchone() == (3.5, True)


def test_a_hostile_indicator_code_stays_a_value():
    catalogue = load_catalogue()
    indicators = [dict(catalogue.indicators[0], code="NT1'; DROP TABLE survey; --")]
    statements = plan_views_sql(indicators, set(catalogue.fields), {"TH": 3.0, "THCS": 2.0, "TH_THCS": 2.0})
    assert "'NT1''; DROP TABLE survey; --'" in "\n".join(statements)


def test_a_field_code_that_is_not_a_name_is_refused_before_any_sql(tmp_path):
    from dataclasses import replace

    catalogue = load_catalogue()
    field = next(iter(catalogue.fields.values()))
    fields = {**catalogue.fields, "x INT); DROP TABLE schools; --": replace(field, code="x")}
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    with pytest.raises(ValueError, match="survey_fields.csv: tên .* không hợp lệ"):
        ensure_schema(con, replace(catalogue, fields=fields))
