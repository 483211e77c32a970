"""Members posting replies for a fixed time, each POST with its own submission token.

A separate process, like wrk. Each connection (a thread with its own keep-alive HTTP connection)
sends one signed-in member's session cookie, the CSRF token and the reply form's fields. Requests
still running when the time is up are waited for, so every reply the server wrote is counted
(wrk would drop them, and the database check could not match).

Usage: python -m bench.poster BASE_URL FORMS.json SECONDS CONNECTIONS  -> JSON on stdout
FORMS.json: [{"cookie": "sessionid=…; csrftoken=…", "action": "/t/12/reply/", "fields": {…}}]
"""

import http.client
import json
import secrets
import sys
import threading
import time
import urllib.parse
from collections import Counter

from bench.report import percentile


def post_for(form: dict, deadline: float, host: str, port: int, results: list, lock) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    sent = 0
    while time.monotonic() < deadline:
        sent += 1
        fields = dict(form["fields"])
        fields.update(
            token=secrets.token_urlsafe(24),
            source=f"Réponse {sent} écrite par le banc d'essai, pendant que d'autres lisent.",
            action="post",
        )
        body = urllib.parse.urlencode(fields)
        headers = {
            "Cookie": form["cookie"],
            "Content-Type": "application/x-www-form-urlencoded",
        }
        started = time.monotonic()
        try:
            connection.request("POST", form["action"], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            outcome = response.status
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        with lock:
            results.append((outcome, time.monotonic() - started))
    connection.close()


def post_replies(base: str, forms: list[dict], seconds: float, connections: int) -> dict:
    url = urllib.parse.urlsplit(base)
    results: list = []
    lock = threading.Lock()
    started = time.monotonic()
    workers = [
        threading.Thread(
            target=post_for,
            args=(forms[i % len(forms)], started + seconds, url.hostname, url.port, results, lock),
        )
        for i in range(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    outcomes = Counter(str(outcome) for outcome, _ in results)
    # A reply that was written answers with a redirect to the new post.
    latencies = sorted(seconds * 1000 for outcome, seconds in results if outcome == 302)
    return {
        "requests": len(results),
        "replies": outcomes.pop("302", 0),
        "errors": dict(outcomes),
        "seconds": round(elapsed, 3),
        "replies_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 2) if latencies else None,
    }


def main(argv: list[str]) -> None:
    if len(argv) != 4:
        raise SystemExit(__doc__)
    base, forms_path, seconds, connections = argv
    with open(forms_path, encoding="utf-8") as f:
        forms = json.load(f)
    print(json.dumps(post_replies(base, forms, float(seconds), int(connections))))


if __name__ == "__main__":
    main(sys.argv[1:])
