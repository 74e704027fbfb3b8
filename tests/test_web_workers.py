"""``serve --workers N``: analyses run in worker processes, so a long article never holds the other requests;
one that runs over the time limit is stopped and answered 504, one that finds every worker busy is answered 503,
and a stopped worker is replaced. Real worker processes, real analyses (each worker loads the models)."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator

import pytest

from sourcetrace.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

SHORT = "Trade talks resume\n\nThe minister said the talks would resume on Monday, according to Reuters.\n"
TIME_LIMIT = 10.0


@pytest.fixture(scope="module")
def pooled(seed_text: str) -> Iterator[TestClient]:
    app = create_app(workers=2, time_limit=TIME_LIMIT, queue_wait=1.0)
    with TestClient(app) as client:
        yield client


def _long_text(seed_text: str) -> str:
    body = seed_text.split("\n", 1)[1]
    return "Long read\n\n" + body * (600_000 // len(body))  # far more than TIME_LIMIT seconds of work


def test_a_long_analysis_holds_no_one_else_and_is_stopped_at_the_limit(pooled: TestClient, seed_text: str) -> None:
    answers: dict[str, object] = {}

    def post_long(name: str) -> None:
        answers[name] = pooled.post("/api/analyze", json={"text": _long_text(seed_text)})

    first = threading.Thread(target=post_long, args=("first",))
    started = time.monotonic()
    first.start()
    time.sleep(1.0)
    short = pooled.post("/api/analyze", json={"text": SHORT})  # the other worker answers meanwhile
    assert short.status_code == 200, short.text
    assert short.json()["attributions"][0]["conduits"][0]["name"] == "Reuters"
    assert first.is_alive(), "the long analysis should still be running"

    second = threading.Thread(target=post_long, args=("second",))
    second.start()
    time.sleep(1.0)
    busy = pooled.post("/api/analyze", json={"text": SHORT})  # both workers busy, 1 s queue wait
    assert busy.status_code == 503, busy.text
    assert busy.headers["retry-after"] == "60"
    assert "busy" in busy.json()["error"] and "\n" not in busy.json()["error"]

    first.join(120)
    second.join(120)
    assert time.monotonic() - started < TIME_LIMIT + 40
    for name in ("first", "second"):
        response = answers[name]
        assert response.status_code == 504, response.text  # type: ignore[attr-defined]
        message = response.json()["error"]  # type: ignore[attr-defined]
        assert f"limit of {TIME_LIMIT:g} s" in message and "\n" not in message

    # the stopped workers are replaced: the pool answers again once a fresh worker has loaded its models
    deadline = time.monotonic() + 180
    while True:
        again = pooled.post("/api/analyze", json={"text": SHORT})
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        assert again.status_code == 503, again.text
        time.sleep(2)
    assert again.status_code == 200, again.text


def test_input_errors_come_back_from_a_worker_with_their_status(pooled: TestClient) -> None:
    response = pooled.post("/api/analyze", json={"text": "Die Bundesregierung hat am Dienstag neue Maßnahmen "
                                                         "gegen die steigenden Energiepreise beschlossen. Der "
                                                         "Minister sagte, die Lage sei ernst."})
    assert response.status_code == 422, response.text
    form = pooled.post("/report", data={"text": SHORT})
    assert form.status_code == 200 and "Reuters" in form.text
