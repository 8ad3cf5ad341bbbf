"""The guides' Markdown as pages: the part of Markdown they use, and nothing a guide's text could
turn into markup of its own."""

from common.markdown import render


def test_headings_paragraphs_lists_and_tables_become_govuk_markup():
    html = render(
        "# Bringing records in\n\nSave each sheet as **CSV**.\n\n"
        "1. Choose the file\n   and upload it.\n2. Confirm.\n\n"
        "- an agency with no return\n- a draft return\n\n"
        "## 8. Training needs returns (`tna-returns`)\n\n"
        "| column | required |\n| --- | --- |\n| Agency | yes |\n"
    )
    assert '<h1 class="govuk-heading-l" id="bringing-records-in">Bringing records in</h1>' in html
    assert '<p class="govuk-body">Save each sheet as <strong>CSV</strong>.</p>' in html
    assert (
        '<ol class="govuk-list govuk-list--number"><li>Choose the file and upload it.</li><li>Confirm.</li></ol>'
        in html
    )
    assert '<ul class="govuk-list govuk-list--bullet"><li>an agency with no return</li>' in html
    assert 'id="8-training-needs-returns-tna-returns"' in html and "<code>tna-returns</code>" in html
    assert '<th scope="col" class="govuk-table__header">column</th>' in html
    # Captioned by the heading it sits under.
    assert '<caption class="govuk-table__caption govuk-visually-hidden">Columns: 8. Training needs returns' in html
    assert '<td class="govuk-table__cell">Agency</td>' in html


def test_text_is_escaped_and_code_is_shown_as_written():
    html = render('A <script>alert("x")</script> and `=HYPERLINK("http://x")` and `**not bold**`')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<code>=HYPERLINK(&quot;http://x&quot;)</code>" in html
    assert "<code>**not bold**</code>" in html


def test_links_go_only_to_this_site_or_safe_addresses():
    html = render("[the guide](/manage/records/guide) [bad](javascript:alert(1)) [mail](mailto:training@example.org)")
    assert '<a class="govuk-link" href="/manage/records/guide">the guide</a>' in html
    assert "javascript:" not in html.split("bad")[0] and 'href="javascript' not in html
    assert 'href="mailto:training@example.org"' in html


def test_an_attribute_cannot_be_broken_out_of():
    html = render('[x](/a"onmouseover="alert(1))')
    assert 'onmouseover="' not in html
