"""The annual report built by the worker's code (`reports.services.build_run`), with its time split
into gathering the figures, rendering the HTML and WeasyPrint's layout and PDF writing. Prints one
line of JSON. Run in its own process (bench/run.py does, under /usr/bin/time for the peak memory):

    python -m bench.report_timing --database-url postgres://... --year 2025-26
"""

import argparse
import json
import os
import time

from bench.run import DEFAULT_DB, setup_django


def _timed(module, name: str, spent: dict, key: str):
    """Wrap `module.name` so the time spent inside it adds up in `spent[key]`."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--year", required=True)
    args = parser.parse_args()
    setup_django(args.database_url)
    from common import pdf
    from reports import metrics, services
    from reports.models import ReportKind, ReportRun
    from tna.models import TrainingYear

    year = TrainingYear.objects.get(name=args.year)
    run = ReportRun.objects.create(
        kind=ReportKind.ANNUAL, parameters={"year": year.pk}, title=f"{ReportKind.ANNUAL.label} {year.name}"
    )
    spent: dict[str, float] = {}
    # The build's own steps, looked up when the build calls them: the figures, the HTML (which
    # includes the figures), the PDF (WeasyPrint's layout, then writing the bytes).
    _timed(metrics, "annual_report", spent, "figures")
    _timed(services, "render_html", spent, "html_with_figures")
    _timed(pdf, "render", spent, "layout")
    _timed(services, "render_pdf", spent, "pdf")
    started = time.perf_counter()
    services.build_run(run.pk)
    whole = time.perf_counter() - started
    run.refresh_from_db()
    figures, html = spent.get("figures", 0.0), spent.get("html_with_figures", 0.0) - spent.get("figures", 0.0)
    layout, writing = spent.get("layout", 0.0), spent.get("pdf", 0.0) - spent.get("layout", 0.0)
    print(
        json.dumps(
            {
                "year": year.name,
                "status": run.status,
                "pages": run.pages,
                "seconds": round(whole, 2),
                "figures_seconds": round(figures, 2),
                "html_seconds": round(html, 2),
                "layout_seconds": round(layout, 2),
                "pdf_writing_seconds": round(writing, 2),
                "other_seconds": round(whole - figures - html - layout - writing, 2),
                "figures_and_html_share": round((figures + html) / whole, 2) if whole else None,
            }
        )
    )


if __name__ == "__main__":
    main()
