"""What the page downloads to run the live path itself (ae/page.py): the same numbers the server uses."""
import json

import numpy as np
import pytest

from ae.inference import load_assets
from ae.page import ERROR_PERCENTILE, page_files


@pytest.fixture(scope="module")
def assets():
    return load_assets()


@pytest.fixture(scope="module")
def files(assets):
    return page_files(assets)


def test_the_meter_pack_holds_the_servers_own_numbers(assets, files):
    for name, space in assets.spaces.items():
        buf = files[f"{name}_meter.bin"]
        n, k = space.meter_codes.shape
        m = len(space.meter_reference)
        assert len(buf) == 4 * m + 2 * n * k + n
        reference = np.frombuffer(buf[:4 * m], "<f4")
        codes = np.frombuffer(buf[4 * m:4 * m + 2 * n * k], "<f2").reshape(n, k)
        labels = np.frombuffer(buf[4 * m + 2 * n * k:], np.uint8)
        np.testing.assert_array_equal(reference, space.meter_reference)
        np.testing.assert_array_equal(codes.astype(np.float64), space.meter_codes)  # float16 both sides
        np.testing.assert_array_equal(labels, space.meter_labels)


def test_spaces_json_describes_every_space(assets, files):
    data = json.loads(files["spaces.json"])
    assert set(data["spaces"]) == set(assets.spaces) and len(data["examples"]["pixels"]) == 10
    for name, s in data["spaces"].items():
        space = assets.spaces[name]
        assert s["lo"] == space.lo.tolist() and s["hi"] == space.hi.tolist() and s["dim"] == 10
        assert len(s["hist"]) == 10 and all(len(h) == 40 for h in s["hist"])
        assert sum(s["hist"][0]) > 0.97 * 60000  # the box holds nearly all training codes
        share_below = float((space.test_errors <= s["error_limit"]).mean())
        assert share_below == pytest.approx(ERROR_PERCENTILE / 100, abs=0.002)
        assert all(f"{name}_" in f for f in s["files"].values())
    for name in assets.spaces:
        assert files[f"{name}_map.png"][:8] == b"\x89PNG\r\n\x1a\n"
