"""The benchmark suite's logic: reading wrk and GNU time, medians and ratios, the targets."""

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import data, report, wrk
from bench.members import form_fields

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8210/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  48.00ms   80.00%
    Req/Sec   660.12     40.00   720.00     70.00%
  Latency Distribution
     50%   11.52ms
     75%   13.00ms
     90%   15.40ms
     99%    1.02s
  13210 requests in 10.01s, 250.00MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   1319.68
Transfer/sec:     24.98MB
"""


def test_wrk_latencies_are_read_in_milliseconds_whatever_the_unit():
    assert wrk.to_ms("850.00us") == pytest.approx(0.85)
    assert wrk.to_ms("12.34ms") == pytest.approx(12.34)
    assert wrk.to_ms("1.02s") == pytest.approx(1020)
    assert wrk.to_ms("1.50m") == pytest.approx(90000)


def test_a_wrk_run_gives_its_rate_percentiles_and_errors():
    figures = wrk.parse(WRK_OUTPUT)
    assert figures == {
        "req_s": 1319.68,
        "requests": 13210,
        "p50_ms": pytest.approx(11.52),
        "p99_ms": pytest.approx(1020),
        "non2xx3xx": 7,
        "socket_errors": 3,
        "timeouts": 3,
    }


def test_a_clean_wrk_run_counts_no_errors():
    clean = "\n".join(
        line for line in WRK_OUTPUT.splitlines() if "Socket" not in line and "Non-2xx" not in line
    )
    figures = wrk.parse(clean)
    assert (figures["non2xx3xx"], figures["socket_errors"], figures["timeouts"]) == (0, 0, 0)


def test_wrk_output_without_results_is_refused():
    with pytest.raises(ValueError, match="no result"):
        wrk.parse("unable to connect to 127.0.0.1:8210 Connection refused")
    with pytest.raises(ValueError):
        wrk.to_ms("fast")


def test_gnu_time_gives_the_wall_time_and_the_peak_rss():
    stderr = (
        '\tCommand being timed: "djemaa load forum.jsonl"\n'
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.50\n"
        "\tMaximum resident set size (kbytes): 204800\n"
    )
    assert data.time_figures(stderr) == {"seconds": 3723.5, "peak_rss_mb": 200.0}
    assert data.time_figures(stderr.replace("1:02:03.50", "0:09.04"))["seconds"] == 9.0


def test_the_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert report.percentile(values, 50) == 50
    assert report.percentile(values, 99) == 99
    assert report.percentile([7.0], 99) == 7.0


def row(req_s, p99=10.0, page="thread_first", who="anonymous", engine="sqlite", **fields):
    return {
        "system": "djemaa",
        "dataset": "big",
        "engine": engine,
        "who": who,
        "page": page,
        "req_s": req_s,
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "non2xx3xx": 0,
        "socket_errors": 0,
        "timeouts": 0,
        "rss_mb": [80.0, 90.0],
        **fields,
    }


def test_rounds_give_the_median_the_range_summed_errors_and_the_largest_rss():
    summary = report.summarize(
        [
            row(300, p99=30, non2xx3xx=1),
            row(100, p99=10, rss_mb=[120.0, 85.0]),
            row(200, p99=20, timeouts=2),
        ]
    )
    assert (summary.req_s, summary.low, summary.high) == (200, 100, 300)
    assert summary.p99_ms == 20
    assert summary.errors == 3
    assert summary.rss_mb == (120.0, 90.0)
    assert summary.spread == "200.0 [100.0–300.0]"


def test_the_peers_harness_lines_become_rows():
    tsv = (
        "peer\tpage\turl\tstatus\tbytes\tposts_on_page\treq_s\tp50_ms\tp99_ms\tnon2xx3xx\t"
        "sock_err\ttimeouts\trss_w1_mb\trss_w2_mb\n"
        "spirit\ta_first\t/topic/201/x/\t200\t57863\t20\t68.6\t225.9\t306.4\t0\t1\t0\t74.3\t74.1\n"
    )
    (line,) = report.read_peer_tsv(tsv, round_number=2)
    assert line["system"] == "spirit" and line["page"] == "a_first" and line["round"] == 2
    assert (line["req_s"], line["p99_ms"], line["socket_errors"]) == (68.6, 306.4, 1)
    assert line["rss_mb"] == [74.3, 74.1]


def summaries_for(rows):
    baseline = dict(row(1000), system="baseline", dataset="-", engine="-", page="baseline_1k")
    spirit = dict(row(60), system="spirit", dataset="peers", engine="postgres", page="a_first")
    ours_on_peers_data = dict(row(700), dataset="peers", page="a_first")
    return report.group([baseline, spirit, ours_on_peers_data, *rows])


def verdicts(targets):
    return {(t.what, t.engine): t.met for t in targets}


def test_targets_are_met_or_not_from_the_numbers():
    summaries = summaries_for(
        [
            row(600),
            row(560, page="thread_last"),
            row(500, page="permalink_target"),
            row(300, who="member"),
            row(450, page="index", p99=60),
            row(520, page="forum"),
        ]
    )
    posting = {"sqlite": {"replies_s": 120.0, "errors": {}, "verified": True}}
    found = verdicts(report.evaluate(summaries, posting, ["sqlite"]))
    engine = "sqlite"
    assert found[("thread page (peers' data), anonymous, against the fastest peer", engine)]
    assert found[("thread page (20 posts), anonymous", engine)]  # 60 % of the ceiling
    assert found[("thread page, signed-in member", engine)]  # 30 %
    assert found[("forum index, anonymous", engine)] is False  # 45 %
    assert found[("forum page, anonymous", engine)]
    assert found[("p99 latency at 16 connections, every page (worst shown)", engine)] is False
    assert found[("big thread, last page against the first page, anonymous", engine)]  # 93 %
    assert found[("deep permalink's page against the first page, anonymous", engine)] is False
    assert found[("posting while readers read: rate, errors, lost/duplicated posts", engine)]
    assert found[("resident memory per worker after the runs (largest)", engine)]


def test_posting_with_a_lost_post_or_too_slowly_fails_its_target():
    summaries = summaries_for([row(600)])
    what = "posting while readers read: rate, errors, lost/duplicated posts"
    lost = {"sqlite": {"replies_s": 150.0, "errors": {}, "verified": False}}
    slow = {"sqlite": {"replies_s": 80.0, "errors": {}, "verified": True}}
    failed = {"sqlite": {"replies_s": 150.0, "errors": {"400": 2}, "verified": True}}
    for posting in (lost, slow, failed):
        assert verdicts(report.evaluate(summaries, posting, ["sqlite"]))[(what, "sqlite")] is False
    # PostgreSQL's rate is reported, not held to the SQLite target.
    slow_pg = {"postgres": {"replies_s": 80.0, "errors": {}, "verified": True}}
    found = verdicts(report.evaluate(summaries, slow_pg, ["postgres"]))
    assert found[(what, "postgres")] is True


def test_a_page_not_measured_is_said_so_rather_than_judged():
    targets = report.evaluate(report.group([row(600)]), {}, ["sqlite"])
    assert {t.met for t in targets if "ceiling" in t.goal} == {None}


def test_a_run_that_answered_nothing_gives_no_ratio_rather_than_a_crash():
    baseline = dict(row(1000), system="baseline", dataset="-", engine="-", page="baseline_1k")
    silent_peer = dict(row(0), system="spirit", dataset="peers", engine="postgres", page="a_first")
    ours_on_peers_data = dict(row(700), dataset="peers", page="a_first")
    summaries = report.group(
        [baseline, silent_peer, ours_on_peers_data, row(0), row(500, page="thread_last")]
    )
    found = verdicts(report.evaluate(summaries, {}, ["sqlite"]))
    assert found[("thread page against the fastest peer", "sqlite")] is None
    assert ("big thread, last page against the first page, anonymous", "sqlite") not in found


def test_the_reply_form_fields_are_read_from_the_page():
    page = """
    <form action="/search/"><input name="q"></form>
    <form method="post" action="/t/7/reply/">
      <input type="hidden" name="csrfmiddlewaretoken" value="abc">
      <input type="hidden" name="token" value="t0k">
      <textarea name="source"></textarea>
      <button type="submit" name="action" value="post">Send</button>
    </form>"""
    assert form_fields(page, "/t/7/reply/") == {
        "csrfmiddlewaretoken": "abc",
        "token": "t0k",
        "source": "",
    }
    with pytest.raises(ValueError):
        form_fields(page, "/t/8/reply/")


def test_the_results_page_is_written_from_the_rows_alone():
    from bench.run import Config

    config = Config(
        sizes=data.Sizes(seed=1, users=10, forums=2, threads=5, posts=100, big_thread_posts=40),
        wrk=wrk.Settings(duration="2s", warmup="1s"),
        rounds=1,
        peers=["spirit"],
        engines=["sqlite"],
        members=2,
        post_connections=2,
        scaleout=[1, 2],
        quick=True,
        rebuild=False,
    )
    rows = [
        dict(row(1000), system="baseline", dataset="-", engine="-", page="baseline_1k"),
        dict(row(60), system="spirit", dataset="peers", engine="postgres", page="a_first"),
        dict(row(720), dataset="peers", page="a_first"),
        row(600),
        row(250, who="member"),
    ]
    posting = [
        {
            "engine": "sqlite",
            "replies_s": 120.0,
            "p50_ms": 30.0,
            "p99_ms": 90.0,
            "replies": 240,
            "created": 240,
            "errors": {},
            "verified": True,
            "readers_req_s": 400.0,
            "readers_errors": 0,
            "rss_mb": [90.0, 95.0],
        }
    ]
    loads = {"sqlite": {"seconds": 3.0, "peak_rss_mb": 70.0, "file_mb": 1.0, "date": "today"}}
    context = {
        "date": "2026-11-24 04:00 UTC",
        "minutes": 4.2,
        "machine": "2 cores",
        "versions": {"Python": "3.11"},
        "config": config,
        "loads": {"big": loads, "peers": loads},
        "generated": "",
        "raw": "bench/.data/runs/x",
    }
    page = report.markdown(rows, [dict(posting[0], round=1)], context)
    assert "do not edit by hand" in page
    assert "Scale-out" not in page  # not measured in this run
    scaled = report.markdown(
        rows, posting, context, [scaleout_row(1, 200)], [scaleout_posting(1, 20.0)]
    )
    assert "| big thread, first page, anonymous (req/s) | 200.0 | - |" in scaled
    assert (
        "| thread page (20 posts), anonymous | sqlite | 60.0% of the ceiling | ≥ 50% | met |"
        in page
    )
    assert "| thread page, signed-in member | sqlite | 25.0% of the ceiling | ≥ 25% | met |" in page
    assert "| (a) big thread p.1 | 60.0 | 720.0 | 12.0× |" in page
    assert "| sqlite | 120.0 | 30.0 | 90.0 | 240 | 240 | 0 | ok | 400.0 | 0 | 90.0 / 95.0 |" in page


def scaleout_row(processes, req_s, page="thread_first", who="anonymous"):
    return dict(row(req_s, page=page, who=who), system="scaleout", processes=processes)


def scaleout_posting(processes, replies_s, verified=True, errors=None):
    return {
        "processes": processes,
        "replies_s": replies_s,
        "readers_req_s": 10 * replies_s,
        "readers_errors": 0,
        "errors": errors or {},
        "verified": verified,
    }


def test_growth_is_each_configuration_over_the_fewest_processes():
    assert report.growth({1: 200.0, 2: 340.0, 3: 360.0}) == {1: 1.0, 2: 1.7, 3: 1.8}
    assert report.growth({2: 100.0, 3: 50.0}) == {2: 1.0, 3: 0.5}
    assert report.growth({1: 0.0, 2: 5.0}) == {1: None, 2: None}
    assert report.growth({}) == {}


def test_the_scaleout_figures_are_medians_by_number_of_processes():
    rows = [
        scaleout_row(1, 100),
        scaleout_row(1, 300),
        scaleout_row(1, 200),
        scaleout_row(2, 380),
        scaleout_row(2, 320),
        scaleout_row(1, 90, page="index"),
        scaleout_row(1, 40, who="member"),
    ]
    posting = [scaleout_posting(1, 20.0), scaleout_posting(2, 30.0), scaleout_posting(2, 40.0)]
    lines = dict(report.scaleout_lines(rows, posting))
    assert lines["big thread, first page, anonymous (req/s)"] == {1: 200, 2: 350}
    assert lines["forum index, anonymous (req/s)"] == {1: 90}
    assert lines["big thread, first page, member (req/s)"] == {1: 40}
    assert lines[report.REPLIES_LABEL] == {1: 20.0, 2: 35.0}
    assert lines[report.READERS_LABEL] == {1: 200.0, 2: 350.0}


def test_the_results_page_shows_the_growth_from_one_process_to_several():
    rows = [scaleout_row(1, 200), scaleout_row(2, 340)]
    posting = [
        scaleout_posting(1, 20.0),
        scaleout_posting(2, 30.0, verified=False, errors={"502": 3}),
    ]
    section = "\n".join(
        report._scaleout_section(
            rows, posting, {"big thread, first page, anonymous (req/s)": 260.0}
        )
    )
    assert "| measurement | 1 process | 2 processes | 2 / 1 | `--workers 2`, no nginx |" in section
    assert (
        "| big thread, first page, anonymous (req/s) | 200.0 | 340.0 | 1.70× | 260.0 |" in section
    )
    assert "| replies while readers read (replies/s) | 20.0 | 30.0 | 1.50× | - |" in section
    assert "| errors while posting and reading | 0 | 3 |  |  |" in section
    assert "| database check after posting | ok | **mismatch** |  |  |" in section
    assert report._scaleout_section([], [], {}) == []


def test_durations_are_seconds_or_minutes():
    from bench.run import to_seconds

    assert [to_seconds(text) for text in ("10s", "10", "2m")] == [10, 10, 120]
    assert to_seconds("1.5s") is None and to_seconds("ten") is None


class _Recorder(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_a_rotating_run_never_asks_for_an_address_twice_nor_one_of_its_warm_up(tmp_path):
    paths = tmp_path / "paths.txt"
    paths.write_text("".join(f"/t/{n}/\n" for n in range(40000)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/t/39999/"
    asked = _Recorder.asked = []
    try:
        output = wrk.run(wrk.Settings(connections=4, duration="1s", warmup="1s"), url, [], paths)
    finally:
        server.shutdown()
        server.server_close()

    numbers = [int(path.split("/")[2]) for path in asked]
    first_measured = next(i for i, number in enumerate(numbers) if number < 20000)
    warm_up, measured = numbers[:first_measured], numbers[first_measured:]
    assert max(Counter(numbers).values()) == 1
    # The warm-up walks the list's second half, then the measured run its first half.
    assert warm_up and all(number >= 20000 for number in warm_up)
    assert all(number < 20000 for number in measured)
    assert len(measured) >= wrk.parse(output)["requests"] > 50
