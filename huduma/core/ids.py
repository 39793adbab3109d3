"""Identifiers for records that may be born offline: UUIDv7 (time-ordered) plus the node id."""

import os
import threading
import time
import uuid

from django.conf import settings

_lock = threading.Lock()
_last = [0, 0]  # last (milliseconds, 12-bit counter) issued by this process


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, a 12-bit counter, random bits.

    Time-ordered ids keep B-tree inserts local and sort records from many nodes by creation
    time; the counter (RFC 9562 method 1) keeps ids made in the same millisecond in order.
    """
    rand = int.from_bytes(os.urandom(10), "big")
    with _lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last[0]:
            millis = _last[0]
            counter = _last[1] + 1
            if counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                millis, counter = millis + 1, 0
        else:
            counter = (rand >> 62) & 0x7FF  # random start, leaving room to count up
        _last[0], _last[1] = millis, counter
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= counter << 64  # rand_a used as a counter
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)


def current_node_id() -> str:
    return settings.NODE_ID
