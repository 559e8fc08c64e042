"""Checks that hold for real OpenStack services and must hold for simcloud too.

Each ``check_*`` takes SDK connections and runs the same assertions against whichever cloud they
reach: tests/test_sim_likeness.py runs them on simcloud, tests/real/test_sim_likeness_real.py on
the real rig (`make test-real`). What they assert was read off the rig first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from openstack.connection import Connection

# Generous: the rig's fake drivers settle in a second or two; a busy 2-core machine is slower.
SETTLE = 120.0


def poll(predicate: Callable[[], Any], what: str, timeout: float = SETTLE) -> Any:
    """Call ``predicate`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def call(conn: Connection, service: str, method: str, path: str,
         version: str | None = None, **kwargs: Any) -> requests.Response:
    """A raw call to ``service``'s catalog endpoint with the connection's token, as sent."""
    endpoint = conn.session.get_endpoint(service_type=service, interface="public")
    headers = {"X-Auth-Token": conn.session.get_token(), **kwargs.pop("headers", {})}
    if version is not None:
        headers["OpenStack-API-Version"] = version
    return requests.request(method, endpoint.rstrip("/") + path, headers=headers, timeout=60,
                            **kwargs)


# -- deletions vanish at once ----------------------------------------------------------------
def check_deleted_volume_vanishes(conn: Connection, name: str, within: float) -> float:
    """A deleted volume leaves the list and answers 404 within ``within`` seconds (the rig:
    about 0.15 s); returns how long it took."""
    made = conn.block_storage.create_volume(size=1, name=name)
    poll(lambda: conn.block_storage.get_volume(made.id).status == "available",
         "volume available")
    started = time.monotonic()
    conn.block_storage.delete_volume(made.id)

    def gone() -> bool:
        listed = {v.id for v in conn.block_storage.volumes()}
        shown = call(conn, "block-storage", "GET", f"/volumes/{made.id}")
        return made.id not in listed and shown.status_code == 404

    poll(gone, "deleted volume gone", timeout=within)
    took = time.monotonic() - started
    missing = call(conn, "block-storage", "GET", f"/volumes/{made.id}").json()
    assert missing == {"itemNotFound": {
        "code": 404, "message": f"Volume {made.id} could not be found."}}
    return took


def check_deleted_image_vanishes(conn: Connection, name: str) -> None:
    """Glance deletes at once: the 204 means the image is already gone from list and GET."""
    made = conn.image.create_image(name=name, disk_format="raw", container_format="bare")
    answer = call(conn, "image", "DELETE", f"/v2/images/{made.id}")
    assert answer.status_code == 204 and answer.content == b""
    assert made.id not in {i.id for i in conn.image.images()}
    assert call(conn, "image", "GET", f"/v2/images/{made.id}").status_code == 404


# -- Glance's error bodies -------------------------------------------------------------------
GLANCE_403_HTML = (
    "<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n"
    "  <h1>403 Forbidden</h1>\n"
    "  You are not authorized to complete publicize_image action.<br /><br />\n\n\n\n"
    " </body>\n</html>")


def check_glance_errors_html_unless_json(conn: Connection, name: str) -> None:
    """A non-admin making an image public: 403 as an HTML page by default, webob's JSON (code a
    string, HTML leftovers in message) with ``Accept: application/json``, plain text when the
    client takes neither."""
    made = conn.image.create_image(name=name, disk_format="raw", container_format="bare")
    try:
        def publicize(accept: str | None) -> requests.Response:
            headers = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
            if accept is not None:
                headers["Accept"] = accept
            return call(conn, "image", "PATCH", f"/v2/images/{made.id}", headers=headers,
                        data='[{"op": "replace", "path": "/visibility", "value": "public"}]')

        for accept in (None, "*/*", "text/html,application/json;q=0.9"):
            page = publicize(accept)
            assert page.status_code == 403
            assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
            assert page.text == GLANCE_403_HTML
        for accept in ("application/json", "application/json, text/plain"):
            answer = publicize(accept)
            assert (answer.status_code, answer.headers["Content-Type"]) == (
                403, "application/json")
            assert answer.json() == {
                "message": "You are not authorized to complete publicize_image action."
                           "<br /><br />\n\n\n",
                "code": "403 Forbidden", "title": "Forbidden"}
        plain = publicize("text/plain")
        assert plain.headers["Content-Type"] == "text/plain; charset=UTF-8"
        assert plain.text == ("403 Forbidden\n\n"
                              "You are not authorized to complete publicize_image action.\n\n   ")
        missing = call(conn, "image", "GET", "/v2/images/no-such-image",
                       headers={"Accept": "application/json"})
        assert missing.json() == {"message": "No image found with ID no-such-image"
                                             "<br /><br />\n\n\n",
                                  "code": "404 Not Found", "title": "Not Found"}
    finally:
        conn.image.delete_image(made.id)
