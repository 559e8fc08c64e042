"""What a request would cost a real OpenStack: a per-request and a per-item model per service.

simcloud answers a page of 1,000 servers in ~35 ms; a real Nova spends ~6.5 ms on each server of
``GET /servers/detail``. Without a model nothing shows what a full resync or a lookup costs a
real cloud. :class:`LatencyModel` prices each request (a fixed cost, plus a cost per item in a
list's answer), keeps the sum per service (what the API spent on us: the bench's "API seconds
per minute"), and, when ``sleeps`` is on, holds the answer back until that time has passed.

The defaults (:func:`measured`) were measured on the rig (upstream 2026.2 services under
gunicorn, 1 worker x 4 threads, MariaDB, on a 2-core machine; medians, the machine shared):

==========  =========================================  ==============  ===========
service     request                                    per request     per item
==========  =========================================  ==============  ===========
compute     GET /servers/detail (also changes-since)   35 ms           6.5 ms
compute     GET /servers (ids and names)               35 ms           1 ms (est.)
compute     anything else                              35 ms           0.2 ms
volume      GET lists (detail, short, with_count)      15 ms           0.6 ms
image       GET /v2/images                             10 ms           0.4 ms
network     GET lists                                  15 ms           1.5 ms
identity    POST /v3/auth/tokens                       360 ms          -
identity    GET /v3/auth/projects, /v3/projects        70 ms           0.5 ms
any         version discovery (no token)               5 ms            -
any         writes (POST/PUT/PATCH/DELETE)             2x the GET      -
==========  =========================================  ==============  ===========

Tests use fast mode (no model installed: simcloud answers at once). ``install`` a model on a
:class:`~tuicloud.simcloud.core.SimCloud` to price its requests; the bench and ``--demo`` do.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from tuicloud.simcloud.core import Response, SimCloud

__all__ = ["Charged", "Cost", "LatencyModel", "charge", "install", "measured", "model_of",
           "uninstall"]

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Cost:
    """Seconds a request costs: ``per_request`` plus ``per_item`` for each listed item."""

    per_request: float
    per_item: float = 0.0


@dataclass(frozen=True)
class Charged:
    """One priced request, for benchmarks that break the sum down."""

    method: str
    path: str
    service: str
    items: int
    seconds: float


@dataclass
class LatencyModel:
    """Prices requests per service; ``sleeps`` makes answers take that long."""

    services: dict[str, Cost]
    """Service -> cost of a GET that is not listed in ``paths``."""
    paths: dict[tuple[str, str, str], Cost] = field(default_factory=dict)
    """(service, method, path suffix) -> cost; the longest matching suffix wins."""
    discovery: Cost = Cost(0.005)
    token: Cost = Cost(0.36)
    write_factor: float = 2.0
    sleeps: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _charged: list[Charged] = field(default_factory=list, repr=False)

    def cost_of(self, method: str, service: str, path: str, items: int) -> float:
        """What one request costs, in seconds."""
        if method == "POST" and path.endswith("/auth/tokens"):
            base = self.token
        elif _is_discovery(path):
            base = self.discovery
        else:
            base = self._match(service, method, path)
        seconds = base.per_request + base.per_item * items
        if method in _WRITES and base is not self.token:
            seconds *= self.write_factor
        return seconds

    def _match(self, service: str, method: str, path: str) -> Cost:
        best: tuple[int, Cost] | None = None
        for (svc, verb, suffix), cost in self.paths.items():
            if svc == service and verb == ("GET" if method in _WRITES else method) \
                    and path.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), cost)
        if best is not None:
            return best[1]
        return self.services.get(service, self.services.get("*", Cost(0.0)))

    def charge(self, method: str, service: str, path: str, items: int) -> float:
        """Price a request and add it to the account; its cost in seconds."""
        seconds = self.cost_of(method, service, path, items)
        with self._lock:
            self._charged.append(Charged(method, path, service, items, seconds))
        return seconds

    def mark(self) -> int:
        """A position in the account, for :meth:`since`."""
        with self._lock:
            return len(self._charged)

    def since(self, mark: int = 0) -> list[Charged]:
        """Every request priced since ``mark``."""
        with self._lock:
            return self._charged[mark:]

    def seconds_since(self, mark: int = 0) -> float:
        """The API time spent on requests since ``mark``."""
        return sum(c.seconds for c in self.since(mark))


def measured(*, sleeps: bool = True) -> LatencyModel:
    """The model measured on the rig (see the module's table)."""
    return LatencyModel(
        services={"compute": Cost(0.035, 0.0002), "volume": Cost(0.015, 0.0006),
                  "image": Cost(0.010, 0.0004), "network": Cost(0.015, 0.0015),
                  "identity": Cost(0.070, 0.0005), "*": Cost(0.015, 0.0005)},
        paths={("compute", "GET", "/servers/detail"): Cost(0.035, 0.0065),
               ("compute", "GET", "/servers"): Cost(0.035, 0.001)},
        sleeps=sleeps)


def _is_discovery(path: str) -> bool:
    """A version document (``/compute``, ``/compute/v2.1``, ``/identity/v3`` ...)."""
    parts = [p for p in path.split("/") if p]
    return len(parts) <= 1 or (len(parts) == 2 and parts[1][:1] == "v"
                               and parts[1][1:2].isdigit())


def _items(body: Any) -> int:
    """How many items a list answer holds (0 for anything else)."""
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list) and (not value or isinstance(value[0], dict)):
                return len(value)
    return 0


_models: weakref.WeakKeyDictionary[SimCloud, LatencyModel] = weakref.WeakKeyDictionary()
_models_lock = threading.Lock()


def install(cloud: SimCloud, model: LatencyModel) -> LatencyModel:
    """Price (and with ``model.sleeps``, delay) every request ``cloud`` serves from now on."""
    with _models_lock:
        _models[cloud] = model
    return model


def uninstall(cloud: SimCloud) -> None:
    """Back to fast mode."""
    with _models_lock:
        _models.pop(cloud, None)


def model_of(cloud: SimCloud) -> LatencyModel | None:
    """The model installed on ``cloud``, if any."""
    return _models.get(cloud)


def charge(cloud: SimCloud, method: str, service: str, path: str, response: Response,
           started: float) -> None:
    """The server's hook: price the answered request and hold it until its cost has passed."""
    model = _models.get(cloud)
    if model is None:
        return
    seconds = model.charge(method, service, path, _items(response.body))
    if model.sleeps:
        left = seconds - (time.monotonic() - started)
        if left > 0:
            time.sleep(left)

