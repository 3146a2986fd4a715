from shared.sql import Filters


def test_filters_number_placeholders_after_the_base_statements_own():
    filters = Filters("ticket-id").add_if("new", "status = {}").add_if(None, "customer_id = {}")
    filters.add("(created_at, id) > ({}, {})", "2026-01-01", "x")
    limit = filters.param(51)
    assert filters.where() == "WHERE status = $2 AND (created_at, id) > ($3, $4)"
    assert limit == "$5"
    assert filters.args == ["ticket-id", "new", "2026-01-01", "x", 51]


def test_no_filters_give_no_where_clause():
    assert Filters().where() == ""
    assert Filters().add("a = {}", 1).where("AND") == "AND a = $1"
