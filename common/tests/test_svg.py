"""Chart labels wrap rather than being cut short, so two long names that begin alike stay told apart."""

from common.svg import horizontal_bars, wrap_label


def test_two_council_departments_are_told_apart_in_full():
    children = wrap_label("Northshire County Council Children's Services")
    education = wrap_label("Northshire County Council Education and Inclusion")
    assert children == ["Northshire County Council Children's", "Services"]
    assert education == ["Northshire County Council Education", "and Inclusion"]
    assert wrap_label("Northshire Police") == ["Northshire Police"]


def test_only_a_label_longer_than_two_lines_is_shortened_at_its_end():
    label = "Northshire Hospitals NHS Foundation Trust Safeguarding Children and Adults Team (Named Nurses)"
    lines = wrap_label(label)
    assert len(lines) == 2 and lines[0] == "Northshire Hospitals NHS Foundation" and lines[1].endswith("…")


def test_the_chart_prints_each_line_of_the_label():
    svg = horizontal_bars(
        title="Places requested against attendance, by agency",
        description="Requested and attended for each agency.",
        series=["Places requested", "Attended"],
        rows=[("Northshire County Council Education and Inclusion", [9, 3])],
    )
    assert ">Northshire County Council Education</tspan>" in svg and ">and Inclusion</tspan>" in svg
