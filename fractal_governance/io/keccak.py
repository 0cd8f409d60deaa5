"""Keccak-256 and EIP-55 checksummed addresses, vectorized over many inputs with numpy.

Ethereum hashes with the original Keccak-256 (padding ``0x01``), not the standardised
SHA3-256 of :mod:`hashlib` (padding ``0x06``), and no pinned package provides it; so it is
here, small and tested against the published vectors. Every message of a batch has the same
length, so the 1600-bit states of the whole batch are permuted together: one numpy array of
25 lanes by N messages.

Examples
--------
>>> keccak256(b"").hex()
'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
>>> to_checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
'0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["checksum_addresses", "keccak256", "keccak256_many", "to_checksum_address"]

_RATE = 136  # bytes absorbed per permutation for a 256-bit output

_ROUND_CONSTANTS = np.array(
    [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ],
    dtype=np.uint64,
)  # fmt: skip

# Rotation offsets r[x][y]; lane (x, y) is state row x + 5 y.
_OFFSETS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_LEFT = np.zeros((25, 1), dtype=np.uint64)
_PI = np.zeros(25, dtype=np.intp)  # rho and pi: lane i moves to row _PI[i]
for _x in range(5):
    for _y in range(5):
        _LEFT[_x + 5 * _y, 0] = _OFFSETS[_x][_y]
        _PI[_x + 5 * _y] = _y + 5 * ((2 * _x + 3 * _y) % 5)
# a rotation by 0 is (a << 0) | (a >> 0) = a: shifts stay below 64 (numpy leaves larger
# shifts undefined)
_RIGHT = (np.uint64(64) - _LEFT) % np.uint64(64)
_ONE = np.uint64(1)
_SIXTY_THREE = np.uint64(63)


def _permute(state: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Keccak-f[1600] of every column of ``state`` (25 lanes by N messages)."""
    count = state.shape[1]
    for constant in _ROUND_CONSTANTS:
        lanes = state.reshape(5, 5, count)  # [y, x, message]
        parity = np.bitwise_xor.reduce(lanes, axis=0)  # [x, message]
        right = np.roll(parity, -1, axis=0)
        theta = np.roll(parity, 1, axis=0) ^ ((right << _ONE) | (right >> _SIXTY_THREE))
        state = (lanes ^ theta[np.newaxis]).reshape(25, count)
        moved = np.empty_like(state)
        moved[_PI] = (state << _LEFT) | (state >> _RIGHT)
        rows = moved.reshape(5, 5, count)
        state = (rows ^ (~np.roll(rows, -1, axis=1) & np.roll(rows, -2, axis=1))).reshape(25, count)
        state[0] ^= constant
    return state


def keccak256_many(messages: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Keccak-256 of each row of ``messages`` (an N x L array of bytes): N x 32 bytes."""
    data = np.asarray(messages, dtype=np.uint8)
    if data.ndim != 2:
        raise ValueError("messages must be a two-dimensional array of bytes (N x length)")
    count, length = data.shape
    blocks = length // _RATE + 1
    padded = np.zeros((count, blocks * _RATE), dtype=np.uint8)
    padded[:, :length] = data
    padded[:, length] ^= 0x01
    padded[:, -1] ^= 0x80
    words = padded.view("<u8").astype(np.uint64).reshape(count, blocks, _RATE // 8)
    state = np.zeros((25, count), dtype=np.uint64)
    for block in range(blocks):
        state[: _RATE // 8] ^= words[:, block].T
        state = _permute(state)
    digest: npt.NDArray[np.uint8] = (
        np.ascontiguousarray(state[:4].T).astype("<u8").view(np.uint8).reshape(count, 32)
    )
    return digest


def keccak256(data: bytes) -> bytes:
    """Keccak-256 of ``data`` (Ethereum's hash)."""
    message = np.frombuffer(bytes(data), dtype=np.uint8).reshape(1, -1)
    return keccak256_many(message)[0].tobytes()


def checksum_addresses(addresses: Sequence[str] | npt.NDArray[np.str_]) -> list[str]:
    """EIP-55 checksummed forms of addresses given as ``0x`` and 40 hex digits (any case)."""
    lowered = [str(address)[2:].lower() for address in addresses]
    if not lowered:
        return []
    if any(len(text) != 40 for text in lowered):
        raise ValueError("an address is 0x followed by 40 hexadecimal digits")
    chars = np.frombuffer("".join(lowered).encode("ascii"), dtype=np.uint8).reshape(-1, 40)
    digest = keccak256_many(chars)
    nibbles = np.empty((len(lowered), 64), dtype=np.uint8)
    nibbles[:, 0::2] = digest >> 4
    nibbles[:, 1::2] = digest & 0x0F
    upper = (chars >= ord("a")) & (nibbles[:, :40] >= 8)
    shown = np.where(upper, chars - 32, chars).astype(np.uint8)
    text = shown.tobytes().decode("ascii")
    return ["0x" + text[40 * i : 40 * (i + 1)] for i in range(len(lowered))]


def to_checksum_address(address: str) -> str:
    """The EIP-55 checksummed form of one address."""
    return checksum_addresses([address])[0]
