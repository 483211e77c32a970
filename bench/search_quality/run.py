"""bench/search_quality: recall@10, MRR and nDCG@10 of the relevance set on one database.

    python -m bench.search_quality.run                       # SQLite, in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python -m bench.search_quality.run

It builds the set in a throwaway database (Django's test database: test_… beside the one
DATABASE_URL names, which is left alone) and drops it at the end.
"""

import os
import sys
import tempfile


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with tempfile.TemporaryDirectory(prefix="search-quality-") as data_dir:
        os.environ.setdefault("DJEMAA_DATA_DIR", data_dir)
        import django
        from django.db import connection

        django.setup()
        from bench.search_quality import evaluate

        name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            by_pk = evaluate.build()
            scores = evaluate.evaluate(by_pk)
        finally:
            connection.creation.destroy_test_db(name, verbosity=0)
    print(f"{connection.vendor}: {len(by_pk)} posts, {len(scores)} queries")
    print(f"{'rule':<18} {'queries':>7} {'passing':>7} {'recall@10':>9} {'MRR':>6} {'nDCG@10':>7}")
    for rule in sorted({s.rule for s in scores}):
        of_rule = [s for s in scores if s.rule == rule]
        totals = evaluate.summary(of_rule)
        print(
            f"{rule:<18} {len(of_rule):>7} {sum(s.passes for s in of_rule):>7} "
            f"{totals['recall@10']:>9.3f} {totals['MRR']:>6.3f} {totals['nDCG@10']:>7.3f}"
        )
    totals = evaluate.summary(scores)
    print(
        f"{'all':<18} {len(scores):>7} {sum(s.passes for s in scores):>7} "
        f"{totals['recall@10']:>9.3f} {totals['MRR']:>6.3f} {totals['nDCG@10']:>7.3f}"
    )
    for s in scores:
        if not s.passes or s.ndcg < 1:
            print(f"  below 1: {s.query!r} ({s.rule}) recall={s.recall:.2f} nDCG={s.ndcg:.2f}")
    missing = evaluate.rules_without_a_passing_query(scores)
    if missing:
        print(f"rules without a passing query: {', '.join(sorted(missing))}")
    return 0 if totals["nDCG@10"] >= 0.90 and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
