from services.inventory.stock.rules import StockLevel, total_available


def test_availability_is_on_hand_less_reserved_never_negative():
    assert StockLevel("main", on_hand=5, reserved=2).available == 3
    assert StockLevel("main", on_hand=1, reserved=3).available == 0


def test_total_availability_adds_up_warehouses():
    assert total_available([StockLevel("a", 3, 1), StockLevel("b", 4, 0)]) == 6
