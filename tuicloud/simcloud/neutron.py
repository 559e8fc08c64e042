"""Placeholder for the network service (being written)."""

from __future__ import annotations

from tuicloud.simcloud.core import Router, SimCloud

NAME = "network"


class Service:
    """State and routes of the network service."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud

    def seed(self) -> None:
        """Create the seed records."""

    def register(self, router: Router) -> None:
        """Register routes."""
