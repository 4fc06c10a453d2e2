"""The page's live path: a drawing or a code in, images and numbers out, light enough for every stroke and slider step."""
import json

from ae.canvas import canvas_to_input, parse_payload
from ae.images import to_data_uri
from ae.inference import Space, check_code, decode, encode, measure, mse

DECODE_KEYS = {"space", "z"}


def reconstruct_drawing(space: Space, payload: str) -> dict:
    """A canvas payload to what the model sees and its reconstruction (PNG data URIs) with the MSE; {"empty": True} for no ink."""
    ink = parse_payload(payload)
    x = canvas_to_input(ink) if ink is not None else None  # (1, 1, 28, 28) or None
    if x is None:
        return {"empty": True}
    recon = decode(space.model, encode(space.model, x))  # (1, 28, 28)
    return {"seen": to_data_uri(x[0]), "recon": to_data_uri(recon), "mse": mse(recon, x[0])}


def parse_decode_request(spaces: dict[str, Space], body: str) -> tuple[Space, list[float]]:
    """A JSON body {"space": name, "z": [10 numbers]} to its space and code; ValueError saying what is wrong."""
    try:
        msg = json.loads(body)
    except json.JSONDecodeError as e:
        raise ValueError(f"body is not valid JSON: {e}") from None
    if not isinstance(msg, dict) or msg.keys() != DECODE_KEYS:
        raise ValueError(f'body must be a JSON object {{"space": one of {sorted(spaces)}, "z": [10 numbers]}}')
    if msg["space"] not in spaces:
        raise ValueError(f"space must be one of {sorted(spaces)}, got {msg['space']!r}")
    return spaces[msg["space"]], msg["z"]


def decode_code(spaces: dict[str, Space], body: str) -> dict:
    """A JSON body {"space": name, "z": [10 numbers]} to the decoded image (PNG data URI) and the off-manifold meter."""
    space, values = parse_decode_request(spaces, body)
    z = check_code(values, space.lo, space.hi)[0]  # (10,)
    return {"image": to_data_uri(decode(space.model, z)), "title": space.title, **measure(space, z)}
