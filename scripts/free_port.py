"""Print a free TCP port on 127.0.0.1, preferring the one given (tests run their own servers)."""

import socket
import sys


def free(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 200)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    print(free(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
