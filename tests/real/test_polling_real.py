"""On the rig: volumes and images deleted outside the app vanish at the next poll (issue 11).

Real Cinder and Glance remove a deleted volume or image within a second and never list it
again, so the ``updated_at`` filters cannot see a deletion; the poller checks Cinder's count
and lists short image sets whole. Deleted with the SDK, as the CLI would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openstack.connection import Connection

from tests.real import rig
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds import kind_for
from tuicloud.cloud.poller import Poller


@pytest.fixture
def session() -> Iterator[CloudSession]:
    with CloudSession.connect("real-demo") as opened:
        yield opened


def test_volume_deleted_outside_vanishes_at_the_next_poll(
        session: CloudSession, demo_sdk: Connection, prefix: str) -> None:
    volume = demo_sdk.block_storage.create_volume(size=1, name=prefix + "doomed")
    rig.volume_status(demo_sdk, volume.id, "available")
    poller = Poller(session, kind_for("volumes"), resync_every=1000)
    assert volume.id in poller.poll().upserts
    quiet = poller.poll()
    assert not quiet.full and quiet.requests == 3  # updated_at, created_at, the count
    demo_sdk.block_storage.delete_volume(volume.id)
    rig.wait_for(lambda: demo_sdk.block_storage.find_volume(volume.id) is None,
                 "the volume gone from Cinder")
    seen = poller.poll()
    assert volume.id in seen.removals
    assert volume.id not in poller.known_ids


def test_image_deleted_outside_vanishes_at_the_next_poll(
        session: CloudSession, demo_sdk: Connection, prefix: str) -> None:
    image = demo_sdk.image.create_image(name=prefix + "doomed", disk_format="raw",
                                        container_format="bare")
    poller = Poller(session, kind_for("images"), resync_every=1000)
    assert image.id in poller.poll().upserts
    demo_sdk.image.delete_image(image.id)
    rig.wait_for(lambda: demo_sdk.image.find_image(image.id) is None,
                 "the image gone from Glance")
    seen = poller.poll()
    assert image.id in seen.removals
    assert image.id not in poller.known_ids
