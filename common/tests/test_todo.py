from common.todo import TodoItem, waiting


def test_an_entry_reads_as_a_sentence_with_its_count():
    assert TodoItem(1, "register to close", "registers to close", "/r").text == "1 register to close"
    assert TodoItem(1200, "register to close", "registers to close", "/r").text == "1,200 registers to close"


def test_nothing_to_do_is_not_shown_and_overdue_work_comes_first():
    routine = TodoItem(2, "comment to review", "comments to review", "/c")
    empty = TodoItem(0, "register to close", "registers to close", "/r")
    late = TodoItem(1, "late return", "late returns", "/t", overdue=True)
    assert waiting([routine, empty, late]) == [late, routine]
