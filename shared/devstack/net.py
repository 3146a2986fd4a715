"""Loopback ports: everything the devstack starts binds to 127.0.0.1 only."""

from __future__ import annotations

import socket

# Tansu listens on IPv4 only, so `localhost` (which may resolve to ::1 first) is never used.
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    # The kernel picks a port nobody holds now; a race with another process is possible but
    # rare, and every starter waits for its own readiness, so a lost race fails loudly.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def free_ports(count: int) -> list[int]:
    # Hold every socket until all are chosen so that one call never returns a port twice.
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((LOOPBACK, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
