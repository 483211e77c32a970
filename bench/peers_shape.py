"""Write the peer forums' dataset (../shared/bench/peers/dataset.py) as a Djemaa interchange file.

The peers seed `build_dataset()` through their own models; Djemaa takes the same users, threads,
bodies and times through its interchange file, with quotes in the vBulletin form the loader maps
to posts (`[quote=USERNAME;POSTFILEID]…[/quote]`), mentions as `@name` and URLs as they are.

Usage: python -m bench.peers_shape OUTPUT.jsonl [--peers-dir DIR]
"""

import argparse
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peers"
# Threads go in a forum, and a forum sits in a top-level category.
ROOT_ID, FORUM_ID = "c-root", "c-forum"


def load_dataset_module(peers_dir: Path):
    if not (peers_dir / "dataset.py").is_file():
        raise SystemExit(f"peers_shape: no dataset.py in {peers_dir}")
    sys.path.insert(0, str(peers_dir))
    try:
        return importlib.import_module("dataset")
    finally:
        sys.path.remove(str(peers_dir))


def _time(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def records(ds, module) -> Iterator[dict]:
    """Users, the category and its forum, then each thread followed by its posts."""
    for index, name in enumerate(ds.users):
        yield {
            "type": "user",
            "id": f"u{index}",
            "username": name,
            "email": f"{name}@example.com",
            "joined": _time(module.START),
        }
    yield {"type": "category", "id": ROOT_ID, "title": "Forum"}
    yield {
        "type": "category",
        "id": FORUM_ID,
        "title": module.CATEGORY_NAME,
        "description": module.CATEGORY_DESCRIPTION,
        "parent": ROOT_ID,
    }
    for t, thread in enumerate(ds.threads, start=1):
        thread_id = f"t{t}"
        yield {
            "type": "thread",
            "id": thread_id,
            "category": FORUM_ID,
            "title": thread.title,
            "author": f"u{thread.posts[0].author}",
            "created": _time(thread.posts[0].posted_at),
        }
        for k, post in enumerate(thread.posts):
            body = post.body()
            if post.quote_of is not None:
                quoted = thread.posts[post.quote_of]
                reference = f"{ds.users[quoted.author]};{thread_id}-p{post.quote_of}"
                body = f"[quote={reference}]{quoted.body()}[/quote]\n\n{body}"
            yield {
                "type": "post",
                "id": f"{thread_id}-p{k}",
                "thread": thread_id,
                "author": f"u{post.author}",
                "created": _time(post.posted_at),
                "body": body,
            }


def write(output: Path, peers_dir: Path = PEERS_DIR) -> dict:
    """Write the file; return what the benchmark needs to find and check its pages."""
    module = load_dataset_module(peers_dir)
    ds = module.build_dataset()
    with output.open("w", encoding="utf-8") as f:
        for record in records(ds, module):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {
        "big_thread_title": ds.big.title,
        "big_thread_posts": len(ds.big.posts),
        "mark_first": module.first_words(ds.big.posts[0]),
        "mark_last": module.first_words(ds.big.posts[-1]),
        "password": module.PASSWORD,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--peers-dir", type=Path, default=PEERS_DIR)
    args = parser.parse_args()
    print(json.dumps(write(args.output, args.peers_dir), ensure_ascii=False))


if __name__ == "__main__":
    main()
