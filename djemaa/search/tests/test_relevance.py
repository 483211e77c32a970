"""The relevance set (bench/search_quality) on the test database: the targets of the issue."""

from bench.search_quality import evaluate


def test_the_relevance_set_is_big_enough_and_consistent():
    posts = evaluate.posts() + evaluate.filler()
    ids = {post["id"] for post in posts}
    assert len(posts) >= 300
    assert len(evaluate.queries()) >= 60
    for query in evaluate.queries():
        assert set(query["relevant"]) <= ids, query["q"]


def test_ndcg_reaches_the_target_and_every_rule_has_a_passing_query(db):
    scores = evaluate.evaluate(evaluate.build())
    assert evaluate.summary(scores)["nDCG@10"] >= 0.90
    assert evaluate.rules_without_a_passing_query(scores) == set()
    analyser_rules = {
        "nfkc", "case-folding", "fr-accents", "fr-elision", "fr-stemming", "ar-diacritics",
        "ar-tatweel", "ar-alef", "ar-alef-maqsura", "ar-ta-marbuta", "ar-article",
        "ar-stemming", "mixed-script", "digits",
    }  # fmt: skip
    assert analyser_rules <= {score.rule for score in scores}
