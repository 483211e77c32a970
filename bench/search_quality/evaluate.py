"""The relevance test set, built into the current database, and its scores.

posts.jsonl holds the hand-written posts (French, Arabic and both mixed), each the opening
post of its own thread; queries.jsonl holds the queries, each with the analyser or query rule
it exercises and the ids of the posts a reader would want. FILLER_COUNT more posts of plain
forum chatter (thanks, greetings, agreement), built from fixed phrases in a fixed order, make
the set bigger without touching any query's words. Relevance is binary.
"""

import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

HERE = Path(__file__).resolve().parent
CUTOFF = 10
FILLER_COUNT = 200
_FILLER_OPENINGS = [
    "Merci pour le partage",
    "Bonne journée à tous",
    "Je suis d'accord avec toi",
    "Bienvenue parmi nous",
    "À bientôt sur le forum",
    "شكرا على المشاركة",
    "صباح الخير للجميع",
    "أتفق معك تماما",
    "مرحبا بك بيننا",
    "بارك الله فيك",
]
_FILLER_ENDINGS = [
    "et bon courage.",
    "c'est gentil.",
    "je repasserai ce soir.",
    "merci encore.",
    "وبالتوفيق.",
    "إلى اللقاء.",
    "موضوع رائع.",
    "تحياتي.",
]


@dataclass(frozen=True)
class Scores:
    query: str
    rule: str
    recall: float
    reciprocal_rank: float
    ndcg: float

    @property
    def passes(self) -> bool:
        """Every relevant post is in the first CUTOFF results."""
        return self.recall == 1.0


def _lines(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def posts() -> list[dict]:
    return _lines("posts.jsonl")


def queries() -> list[dict]:
    return _lines("queries.jsonl")


def filler() -> list[dict]:
    return [
        {
            "id": f"filler{n:03}",
            "forum": "Discussions",
            "title": _FILLER_OPENINGS[n % len(_FILLER_OPENINGS)],
            "body": f"{_FILLER_OPENINGS[(n * 7) % len(_FILLER_OPENINGS)]}, "
            f"{_FILLER_ENDINGS[n % len(_FILLER_ENDINGS)]}",
        }
        for n in range(FILLER_COUNT)
    ]


def build() -> dict[int, str]:
    """Write the set through the real services, index it; returns post pk -> set id.

    Posts are dated a day apart, in file order, so recency plays as on a real forum."""
    from djemaa.accounts.services import create_member
    from djemaa.forums.services import create_category
    from djemaa.search.services import reindex_all
    from djemaa.threads.services import start_thread

    author = create_member(username="relevance-set")
    root = create_category(title="Relevance set")
    forums = {}
    by_pk = {}
    now = timezone.now()
    for age, item in enumerate([*posts(), *filler()]):
        if item["forum"] not in forums:
            forums[item["forum"]] = create_category(title=item["forum"], parent=root)
        thread = start_thread(
            author=author,
            category=forums[item["forum"]],
            title=item["title"],
            source=item["body"],
            created_at=now - timedelta(days=age),
        )
        by_pk[thread.posts.get().pk] = item["id"]
    reindex_all()
    return by_pk


def score(query: dict, ranked: list[str]) -> Scores:
    relevant = set(query["relevant"])
    top = ranked[:CUTOFF]
    hits = [item in relevant for item in top]
    first = next((rank for rank, hit in enumerate(hits, 1) if hit), None)
    dcg = sum(1 / math.log2(rank + 1) for rank, hit in enumerate(hits, 1) if hit)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), CUTOFF) + 1))
    return Scores(
        query=query["q"],
        rule=query["rule"],
        recall=sum(hits) / len(relevant),
        reciprocal_rank=1 / first if first else 0.0,
        ndcg=dcg / ideal,
    )


def evaluate(by_pk: dict[int, str]) -> list[Scores]:
    """Run every query as a guest and score its first CUTOFF results."""
    from djemaa.search.services import run_search

    guest = AnonymousUser()
    scores = []
    for query in queries():
        results = run_search(guest, query["q"], limit=CUTOFF)
        scores.append(score(query, [by_pk.get(post.pk, "?") for post in results.posts]))
    return scores


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def summary(scores: list[Scores]) -> dict[str, float]:
    return {
        "recall@10": mean(s.recall for s in scores),
        "MRR": mean(s.reciprocal_rank for s in scores),
        "nDCG@10": mean(s.ndcg for s in scores),
    }


def rules_without_a_passing_query(scores: list[Scores]) -> set[str]:
    rules = {s.rule for s in scores}
    return rules - {s.rule for s in scores if s.passes}
