"""The room's address, read from a /proc/net/fib_trie text, and its QR code."""
import re

import segno

from serve.room import local_addresses, qr_svg, room_url

# /proc/net/fib_trie of a machine with a loopback, an ethernet (192.168.1.23) and a Wi-Fi (10.0.0.7) interface
FIB_TRIE = """Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 10.0.0.0/24 2 0 2
        |-- 10.0.0.0
           /24 link UNICAST
        |-- 10.0.0.7
           /32 host LOCAL
        |-- 10.0.0.255
           /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
     +-- 192.168.1.0/24 2 0 2
        |-- 192.168.1.23
           /32 host LOCAL
Local:
  +-- 0.0.0.0/0 3 0 5
        |-- 10.0.0.7
           /32 host LOCAL
        |-- 127.0.0.1
           /32 host LOCAL
"""


def test_local_addresses_are_the_host_entries_without_loopback_or_broadcast():
    assert local_addresses(FIB_TRIE) == ["10.0.0.7", "192.168.1.23"]
    assert local_addresses("") == []


def test_the_room_url_only_when_others_can_reach_the_app():
    assert room_url("0.0.0.0", 7860, ["10.0.0.7"]) == "http://10.0.0.7:7860/"
    assert room_url("192.168.1.23", 8000, ["10.0.0.7"]) == "http://192.168.1.23:8000/"
    assert room_url("demo.lan", 7860, []) == "http://demo.lan:7860/"
    for host in ("127.0.0.1", "localhost", "::1"):
        assert room_url(host, 7860, ["10.0.0.7"]) is None, host
    assert room_url("0.0.0.0", 7860, []) is None  # listening everywhere, but no interface but loopback


def test_the_qr_code_draws_every_dark_module_of_the_url():
    url = "http://192.168.1.23:7860/"
    qr = segno.make(url, error="m")
    assert qr.mode == "byte" and qr.version <= 3  # few, large modules: a phone reads it from the back of a room
    svg = qr_svg(url)
    # segno's "qrline" path: runs of dark modules per row, "h<n>" each; their total is the symbol's dark count
    dark = sum(int(n) for n in re.findall(r"h(\d+)", re.search(r'class="qrline"[^>]*d="([^"]+)"', svg)[1]))
    assert dark == sum(sum(row) for row in qr.matrix)
