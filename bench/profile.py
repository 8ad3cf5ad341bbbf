"""One request of each bench page, built afresh, under cProfile: where a page's time goes.

    python -m bench.profile --database-url postgres://... [--only "catalogue"] [--lines 30]

Runs in this process with Django's test client (every page and figure cache off), after one warm-up
request, and prints the time (and this process's CPU time, which other processes on the
machine disturb less) of five more, the functions with the most cumulative time, the query count and the time.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

from bench.run import DEFAULT_DB, pages, setup_django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--only", nargs="*", default=[], help="labels (or parts of them) of the pages to profile")
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    args = parser.parse_args()
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    for label, path, email in pages():
        if args.only and not any(part in label for part in args.only):
            continue
        client = Client()
        client.force_login(User.objects.get(email=email))
        assert client.get(path, HTTP_HOST="127.0.0.1").status_code == 200, path  # warm up
        times, cpu = [], []
        for _ in range(5):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path, HTTP_HOST="127.0.0.1")
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        profile = cProfile.Profile()
        with CaptureQueriesContext(connection) as queries:
            profile.enable()
            client.get(path, HTTP_HOST="127.0.0.1")
            profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.lines)
        print(
            f"\n=== {label} {path}: {statistics.median(times) * 1000:.1f} ms, of which this process's CPU "
            f"{statistics.median(cpu) * 1000:.1f} ms (medians of 5), {len(queries)} queries"
        )
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
