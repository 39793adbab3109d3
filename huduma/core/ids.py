"""Identifiers for records that may be born offline: UUIDv7 (time-ordered) plus the node id."""

import os
import time
import uuid

from django.conf import settings


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits.

    Time-ordered ids keep B-tree inserts local and sort records from many nodes by creation time.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)


def current_node_id() -> str:
    return settings.NODE_ID
