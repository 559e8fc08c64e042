"""simcloud's latency model: what each request would cost a real cloud, and fast mode by default."""

from __future__ import annotations

import time

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.simcloud import RunningSim, latency


def test_fast_mode_unless_a_model_is_installed(sim: RunningSim) -> None:
    assert latency.model_of(sim.cloud) is None


def test_model_prices_requests_per_service_and_item(sim: RunningSim) -> None:
    model = latency.install(sim.cloud, latency.measured(sleeps=False))
    with CloudSession.connect("simcloud") as session:
        charged = model.since()
        tokens = [c for c in charged if c.method == "POST" and c.path.endswith("/auth/tokens")]
        assert tokens and tokens[0].seconds == pytest.approx(0.36)
        mark = model.mark()
        body, _ = session.get_json("compute", "/servers/detail", {"limit": "20"})
        listed = len(body["servers"])
        assert listed == 20
        page = [c for c in model.since(mark) if c.path.endswith("/servers/detail")]
        assert len(page) == 1 and page[0].items == 20
        assert page[0].seconds == pytest.approx(0.035 + 20 * 0.0065)
        mark = model.mark()
        session.get_json("compute", "/servers/detail", {"changes-since": "2999-01-01T00:00:00Z"})
        assert model.seconds_since(mark) == pytest.approx(0.035)  # a quiet poll
        mark = model.mark()
        session.get_json("image", "/images")
        images = [c for c in model.since(mark) if c.path.endswith("/images")]
        assert images and images[0].seconds == pytest.approx(0.010 + images[0].items * 0.0004)


def test_sleeping_model_holds_answers_back(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        model = latency.install(sim.cloud, latency.measured())
        started = time.monotonic()
        session.get_json("compute", "/servers/detail", {"limit": "10"})
        assert time.monotonic() - started >= 0.035 + 10 * 0.0065  # never faster than modelled
        latency.uninstall(sim.cloud)
        mark = model.mark()
        session.get_json("compute", "/servers/detail", {"limit": "10"})
        assert model.since(mark) == []  # back in fast mode: nothing priced
