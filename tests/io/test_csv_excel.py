"""CSV registers as Excel writes them: BOM, Windows-1252, ';', sep= line, UK dates.

Files are written as bytes, exactly as Excel saves them, and loaded into a real store.
Every bad file gives an error naming the file, row and column, and changes nothing.
"""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files

from .conftest import refused


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# Excel "CSV UTF-8 (Comma delimited)": BOM, CRLF, a non-ASCII label.
EXCEL_UTF8 = (codecs.BOM_UTF8 + "id,label,status,tier,aim,start_date,led_by,improves,"
              "declared_priority\r\nQI-7,Café-style discharge lounge – pilot,active,project,"
              "\"Cut delays, by 20%\",2025-01-06,ward-7,M1,G1\r\n".encode())


def test_bom_utf8_csv_loads(loaded, tmp_path):
    p = put(tmp_path, "projects.csv", EXCEL_UTF8)
    r = load_files(loaded, [p])
    assert (r.nodes_added, r.edges_added) == (1, 3)
    n = loaded.view().node("QI-7")
    assert n.label == "Café-style discharge lounge – pilot"
    assert n.aim == "Cut delays, by 20%"
    assert loaded.view().has_edge("ward-7", "leads", "QI-7")


def test_cp1252_semicolon_uk_dates(loaded, tmp_path):
    # Excel "CSV (Comma delimited)" on a Windows PC in a ';' locale: cp1252, no BOM.
    text = ("id;label;measure_type;direction;unit_of_measure;target;quality_domains;"
            "owned_by;indicates\r\nM7;Pressure ulcers – category 2+ per 1,000 bed days;"
            "Outcome;Decrease;£ per bed day;0,5;\"safe;person-centred\";ward-7;O1\r\n")
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    p = put(tmp_path, "measures.csv", data)
    err = refused(loaded, [p], "measures.csv row 2 column 'target'", "'0,5' is not a number")
    assert len(err.problems) == 1
    p = put(tmp_path, "measures.csv", data.replace(b"0,5", b"0.5"))
    load_files(loaded, [p])
    m = loaded.view().node("M7")
    assert m.label.startswith("Pressure ulcers – category")
    assert m.unit_of_measure == "£ per bed day"
    assert (m.measure_type, m.direction, m.target) == ("outcome", "decrease", 0.5)
    assert m.quality_domains == ["safe", "person-centred"]


def test_wrong_encoding_given_is_named(loaded, tmp_path):
    p = put(tmp_path, "measures.csv", "id,label,measure_type\nM8,Ward 7 – falls,outcome\n"
            .encode("cp1252"))
    refused(loaded, [p], "measures.csv: cannot read", "row 2", "0x96",
            "try --encoding cp1252", encoding="utf-8")
    refused(loaded, [p], "unknown encoding 'latin-9x'", encoding="latin-9x")
    load_files(loaded, [p], encoding="cp1252")
    assert loaded.view().node("M8").label == "Ward 7 – falls"


def test_utf16_unicode_text_with_tabs(loaded, tmp_path):
    # Excel "Unicode Text": UTF-16 with BOM, tab-separated.
    text = "id\tlabel\tmeasure_type\nM9\tStaff survey – recommend\tprocess\n"
    p = put(tmp_path, "measures.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    load_files(loaded, [p])
    assert loaded.view().node("M9").measure_type == "process"


def test_excel_sep_line(loaded, tmp_path):
    p = put(tmp_path, "data.csv", b"sep=;\r\nmeasure_id;date;value\r\nM1;2025-09-01;4,5\r\n")
    refused(loaded, [p], "data.csv row 3 column 'value'", "'4,5' is not a number")
    p = put(tmp_path, "data.csv", b"sep=;\r\nmeasure_id;date;value\r\nM1;2025-09-01;4.5\r\n")
    load_files(loaded, [p])
    pts = {d.date: d.value for d in loaded.view().node("M1").data}
    assert pts[dt.date(2025, 9, 1)] == 4.5


def test_uk_dates_need_dayfirst(loaded, tmp_path):
    data = b"measure_id,date,value\r\nM1,01/10/2025,3\r\nM1,31/10/2025,4\r\n"
    p = put(tmp_path, "data.csv", data)
    err = refused(loaded, [p], "data.csv row 2 column 'date'", "'01/10/2025' is not an ISO",
                  "--dayfirst")
    assert len(err.problems) == 2  # 31/10 is not guessed either
    load_files(loaded, [p], dayfirst=True)
    pts = {d.date: d.value for d in loaded.view().node("M1").data}
    assert pts[dt.date(2025, 10, 1)] == 3 and pts[dt.date(2025, 10, 31)] == 4


def test_dayfirst_still_rejects_impossible_dates(loaded, tmp_path):
    p = put(tmp_path, "projects.csv", b"id,label,start_date\r\nQI-8,x,31/02/2025\r\n")
    refused(loaded, [p], "projects.csv row 2 column 'start_date'", "not a real date",
            dayfirst=True)


def test_headers_as_people_type_them(loaded, tmp_path):
    p = put(tmp_path, "projects.csv",
            b"ID,Label,Status,Start date,Led by\r\nQI-9,Flow,Active,2025-02-03,ward-7\r\n")
    load_files(loaded, [p])
    n = loaded.view().node("QI-9")
    assert (n.status, n.start_date) == ("active", dt.date(2025, 2, 3))


def test_unknown_column_names_the_allowed_fields(loaded, tmp_path):
    p = put(tmp_path, "projects.csv", b"id,label,aimStatement\r\nQI-9,x,Reduce falls\r\n")
    err = refused(loaded, [p], "projects.csv row 1 column 'aimStatement'",
                  "the column is 'aim'", "allowed: id, label")
    assert "Extra inputs" not in str(err)
    p = put(tmp_path, "projects.csv", b"id,label,stauts\r\nQI-9,x,active\r\n")
    refused(loaded, [p], "did you mean 'status'?")


def test_yaml_unknown_field_names_the_allowed_fields(loaded, tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("nodes:\n  - id: QI-9\n    kind: ImprovementProject\n    label: x\n"
                 "    aimStatement: y\n", encoding="utf-8")
    refused(loaded, [p], "m.yaml:2", "unknown field 'aimStatement' for ImprovementProject",
            "the column is 'aim'")


def test_named_value_error_names_the_column(loaded, tmp_path):
    p = put(tmp_path, "measures.csv",
            b"id,label,measure_type,direction\r\nM5,x,outcome,up\r\n")
    refused(loaded, [p], "measures.csv row 2 column 'direction'",
            "'up' is not one of increase, decrease, neutral")


def test_edge_list_csv(loaded, tmp_path):
    p = put(tmp_path, "relations.csv", codecs.BOM_UTF8 + b"source;kind;target;reason\r\n"
            b"med;owns;M1;named in the IPR\r\nQI-1;bogus;M1;\r\n")
    refused(loaded, [p], "relations.csv row 3 column 'kind'", "unknown edge kind 'bogus'")
    p.write_bytes(codecs.BOM_UTF8 + b"source;kind;target;reason\r\nmed;owns;M1;IPR\r\n")
    load_files(loaded, [p])
    assert loaded.view().has_edge("med", "owns", "M1")


def test_kind_from_file_name_and_uk_deadline(loaded, tmp_path):
    p = put(tmp_path, "goals.csv",
            b"id;label;deadline;serves\r\nG9;Zero harm;01/10/2027;purpose\r\n")
    refused(loaded, [p], "goals.csv row 2 column 'deadline'", "--dayfirst")
    load_files(loaded, [p], dayfirst=True)
    g = loaded.view().node("G9")
    assert (g.kind, g.deadline) == ("StrategicGoal", dt.date(2027, 10, 1))


def test_node_from_the_api_or_code_names_the_allowed_fields():
    from qmsgraph.model import make_node

    with pytest.raises(ValidationError) as err:
        make_node({"kind": "ImprovementProject", "id": "x", "label": "y",
                   "aimStatement": "z", "status": "bad"})
    text = str(err.value)
    assert "unknown field 'aimStatement'" in text and "the field is 'aim'" in text
    assert "allowed: id, label, description, status" in text and "improves" not in text
    assert "status: Input should be" in text and "Extra inputs" not in text


def test_mixed_register_unknown_column_is_named_once(loaded, tmp_path):
    rows = "".join(f"Team,T-{i},Team {i},x\r\n" for i in range(50))
    p = put(tmp_path, "units.csv", ("kind,id,label,colour\r\n" + rows).encode())
    err = refused(loaded, [p], "units.csv row 2 column 'colour'", "unknown column 'colour' "
                  "for Team", "named once")
    assert len(err.problems) == 1
