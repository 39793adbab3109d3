"""Record ids for offline-born records: UUIDv7, time-ordered even within one millisecond."""

from huduma.core.ids import uuid7


def test_uuid7_is_version_7_and_ordered():
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
