"""Glance's error bodies: webob's HTML, JSON or plain text, chosen by the request's Accept header.

Real Glance answers an error as an HTML page unless the client asks for JSON; its JSON keeps the
HTML leftovers (``<br /><br />``) in ``message`` and gives ``code`` as a string. Clients that
show only the status reason lose Glance's explanation, so simcloud answers the same way.
"""

from __future__ import annotations

import json

from tuicloud.simcloud.core import ApiError, Response

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Request Entity Too Large",
    415: "Unsupported Media Type", 500: "Internal Server Error", 501: "Not Implemented",
    503: "Service Unavailable",
}
_OFFERS = ("text/html", "application/json")  # webob's order: HTML wins a tie


def _quality(accept: str, offer: str) -> float:
    """The q the Accept header gives ``offer``, from its most specific matching range."""
    kind = offer.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for part in accept.split(","):
        media, *params = [piece.strip() for piece in part.split(";")]
        media = media.lower()
        specificity = {offer: 2, f"{kind}/*": 1, "*/*": 0}.get(media)
        if specificity is None or specificity <= best[0]:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = (specificity, quality)
    return best[1]


def chosen_format(accept: str) -> str:
    """"html", "json" or "plain", as webob picks for Glance's error pages."""
    header = accept.strip() or "*/*"
    scores = [(_quality(header, offer), -index, offer) for index, offer in enumerate(_OFFERS)]
    quality, _, offer = max(scores)
    if quality <= 0:
        return "plain"
    return "json" if offer == "application/json" else "html"


# What Glance (webob) says for a missing or bad token, rather than Keystone's words.
UNAUTHORIZED = ("This server could not verify that you are authorized to access the document you "
                "requested. Either you supplied the wrong credentials (e.g., bad password), or "
                "your browser does not understand how to supply the credentials required.")


def glance_error(error: ApiError, accept: str) -> Response:
    """The response real Glance sends for ``error``, given the request's Accept header."""
    title = TITLES.get(error.status, "Error")
    status = f"{error.status} {title}"
    headers = dict(error.headers)
    message = UNAUTHORIZED if error.status == 401 else error.message
    form = chosen_format(accept)
    if form == "json":
        body = {"message": f"{message}<br /><br />\n\n\n", "code": status, "title": title}
        headers["Content-Type"] = "application/json"
        return Response(error.status, json.dumps(body).encode(), headers)
    if form == "html":
        page = (f"<html>\n <head>\n  <title>{status}</title>\n </head>\n <body>\n"
                f"  <h1>{status}</h1>\n  {message}<br /><br />\n\n\n\n </body>\n</html>")
        headers["Content-Type"] = "text/html; charset=UTF-8"
        return Response(error.status, page.encode(), headers)
    headers["Content-Type"] = "text/plain; charset=UTF-8"
    return Response(error.status, f"{status}\n\n{message}\n\n   ".encode(), headers)
