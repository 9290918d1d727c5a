"""The CSV a sync's Bulk ingest job uploads: one pass when every row has the first row's
columns, the union of all columns when a later row brings a new one."""

import csv
import io

from lgcrm_sf.salesforce.ingest import _write_csv


def _csv(payloads: list[dict], op: str) -> list[list[str]]:
    calls = []

    def again():
        calls.append(1)
        return iter(payloads)

    text = io.StringIO()
    _write_csv(text, again, op)
    return list(csv.reader(io.StringIO(text.getvalue()))), len(calls)


def test_rows_with_the_same_columns_are_read_once():
    rows, reads = _csv(
        [{"Email": "a@x.io", "LastName": "A"}, {"LastName": "B", "Email": "b@x.io"}], "create"
    )
    assert rows == [["Email", "LastName"], ["a@x.io", "A"], ["b@x.io", "B"]]
    assert reads == 1


def test_a_later_row_with_a_new_column_makes_the_header_the_union():
    payloads = [{"Id": "1", "City": "Rio"}, {"Id": "2", "Phone": None}, {"Id": "3"}]
    rows, reads = _csv(payloads, "update")
    # An absent field is left as it is (empty); a null is cleared (#N/A) in an update.
    assert rows == [["City", "Id", "Phone"], ["Rio", "1", ""], ["", "2", "#N/A"], ["", "3", ""]]
    assert reads == 3  # the first pass stops at row 2; the union, then the rows


def test_no_rows_is_a_header_only():
    assert _csv([], "create") == ([[]], 1)
