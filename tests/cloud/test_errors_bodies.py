"""The error message read from each body shape the real services answer (seen on the rig):
Glance's HTML page and its JSON with ``code`` as a string and HTML leftovers, Swift's small
HTML, Nova/Cinder/Neutron/Keystone JSON, plain text, and bodies that say nothing."""

from __future__ import annotations

import json

import pytest

from tuicloud.cloud.errors import error_message, message_from_body, text_of_html

GLANCE_HTML = (b"<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n"
               b"  <h1>403 Forbidden</h1>\n  You are not authorized to complete publicize_image"
               b" action.<br /><br />\n\n\n\n </body>\n</html>")
GLANCE_JSON = json.dumps({
    "message": "You are not authorized to complete publicize_image action.<br /><br />\n\n\n",
    "code": "403 Forbidden", "title": "Forbidden"}).encode()
PUBLICIZE = "You are not authorized to complete publicize_image action."


def test_glance_html_page_gives_its_text_without_title_or_status_heading() -> None:
    assert error_message(GLANCE_HTML, "text/html; charset=UTF-8") == PUBLICIZE


def test_glance_json_with_string_code_and_html_leftovers() -> None:
    assert error_message(GLANCE_JSON, "application/json") == PUBLICIZE
    assert message_from_body(GLANCE_JSON) == PUBLICIZE


def test_html_without_content_type_is_recognised() -> None:
    assert error_message(GLANCE_HTML, None) == PUBLICIZE


def test_swift_html_keeps_the_paragraph() -> None:
    body = b"<html><h1>Conflict</h1><p>There was a conflict when trying to complete your " \
           b"request.</p></html>"
    assert error_message(body, "text/html; charset=UTF-8") == (
        "There was a conflict when trying to complete your request.")


def test_a_heading_that_says_more_than_the_status_is_kept() -> None:
    page = "<html><body><h1>Quota exceeded: images</h1><p>limit 10, used 10</p></body></html>"
    assert text_of_html(page) == "Quota exceeded: images: limit 10, used 10"


def test_a_page_that_is_only_a_heading_still_says_it() -> None:
    assert text_of_html("<html><h1>Service Unavailable</h1></html>") == "Service Unavailable"


def test_entities_are_decoded_and_scripts_dropped() -> None:
    page = "<html><script>alert(1)</script><p>name &lt;web&gt; &amp; co</p></html>"
    assert text_of_html(page) == "name <web> & co"


@pytest.mark.parametrize(("body", "expected"), [
    ({"conflictingRequest": {"message": "Cannot 'start' instance", "code": 409}},
     "Cannot 'start' instance"),
    ({"badRequest": {"message": "Invalid volume: status must be available", "code": 400}},
     "Invalid volume: status must be available"),
    ({"NeutronError": {"type": "PortNotFound", "message": "Port x could not be found.",
                       "detail": ""}}, "Port x could not be found."),
    ({"error": {"code": 401, "message": "The request you have made requires authentication.",
                "title": "Unauthorized"}}, "The request you have made requires authentication."),
])
def test_json_shapes_of_the_other_services(body: dict[str, object], expected: str) -> None:
    assert error_message(json.dumps(body).encode(), "application/json") == expected


def test_plain_text_and_empty_bodies() -> None:
    assert error_message(b"403 Forbidden\n\nAccess was denied to this resource.\n\n   ",
                         "text/plain; charset=UTF-8") == (
        "403 Forbidden Access was denied to this resource.")
    assert error_message(b"", "application/json") is None
    assert error_message(b"{}", "application/json") is None
    assert error_message(b"\x00\x01binary", "application/octet-stream") is None
