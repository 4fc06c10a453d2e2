"""The address a room types or scans to join the app from their phones, read from this machine's own interfaces
(the kernel's table in /proc/net/fib_trie: no packet is sent, no name is looked up), and its QR code."""
import ipaddress
from pathlib import Path

import segno

FIB_TRIE = Path("/proc/net/fib_trie")
ANY = {"0.0.0.0", "::", ""}  # listening on every interface


def local_addresses(fib_trie: str) -> list[str]:
    """The IPv4 addresses of this machine's interfaces in a /proc/net/fib_trie text, loopback left out, in order."""
    found, previous = [], ""
    for line in fib_trie.splitlines():
        text = line.strip()
        if text == "/32 host LOCAL" and previous:
            found.append(previous)
        previous = text.split()[-1] if text.startswith("|--") else ""
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback]


def room_url(host: str, port: int, addresses: list[str]) -> str | None:
    """The URL others on the network can open, or None when the app listens on this machine only."""
    if host in ANY:
        host = addresses[0] if addresses else ""
    try:
        if not host or ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a name, not an address: "localhost" is this machine only, any other name is the room's
        if host == "localhost":
            return None
    return f"http://{host}:{port}/"


def qr_svg(url: str) -> str:
    """url as a QR code, an inline SVG (dark modules on white, a quiet zone of 4) for the page."""
    return segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff", border=4)


def own_url(host: str, port: int) -> str | None:
    """room_url for this machine, read from its interfaces (none found off Linux: the page then shows no address)."""
    try:
        addresses = local_addresses(FIB_TRIE.read_text())
    except OSError:
        addresses = []
    return room_url(host, port, addresses)
