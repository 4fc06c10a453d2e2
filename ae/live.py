"""The server's live path, for pages that cannot run the models themselves: a drawing or a code in, pixels and numbers out."""
from ae.inference import Space, check_code, decode, encode, measure, mse
from ae.page import pixels_b64
from ae.checks import parse_json
from ae.strokes import drawing_from, drawing_to_input


def parse_request(body: str, keys: set[str], shape: str) -> dict:
    """A JSON object with exactly these keys, or a ValueError showing the shape expected."""
    msg = parse_json(body)
    if not isinstance(msg, dict) or msg.keys() != keys:
        raise ValueError(f"body must be a JSON object {shape}")
    return msg


def check_space(name, spaces: dict[str, Space]) -> Space:
    """The space called name, or a ValueError listing the names."""
    if not isinstance(name, str) or name not in spaces:
        raise ValueError(f"space must be one of {sorted(spaces)}, got {str(name)[:40]!r}")
    return spaces[name]


def check_spaces(names, spaces: dict[str, Space]) -> list[str]:
    """A non-empty list of distinct space names."""
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in spaces for n in names) \
            or len(set(names)) != len(names):
        raise ValueError(f"spaces must be a list of distinct names from {sorted(spaces)}")
    return names


def reconstruct_drawing(spaces: dict[str, Space], body: str) -> dict:
    """{"drawing": ..., "spaces": [names]} to what the encoders see and, per space, the code, reconstruction and MSE.

    Pixels travel as base64 of 784 bytes; {"empty": true} for a drawing with no strokes.
    """
    msg = parse_request(body, {"drawing", "spaces"}, '{"drawing": {"strokes": [...]} or {"image": ...}, "spaces": [...]}')
    names = check_spaces(msg["spaces"], spaces)
    x = drawing_to_input(drawing_from(msg["drawing"]))  # (1, 1, 28, 28) or None
    if x is None:
        return {"empty": True}
    results = {}
    for name in names:
        code = encode(spaces[name].model, x)  # (k,)
        recon = decode(spaces[name].model, code)  # (1, 28, 28)
        results[name] = {"code": code.tolist(), "recon": pixels_b64(recon), "mse": mse(recon, x[0])}
    return {"input": pixels_b64(x), "results": results}


def decode_code(spaces: dict[str, Space], body: str) -> dict:
    """{"space": name, "z": [numbers]} to the decoded image (base64 of 784 bytes) and the off-manifold meter."""
    msg = parse_request(body, {"space", "z"}, f'{{"space": one of {sorted(spaces)}, "z": [numbers]}}')
    space = check_space(msg["space"], spaces)
    z = check_code(msg["z"], len(space.lo))[0]  # (k,)
    return {"image": pixels_b64(decode(space.model, z)), **measure(space, z)}
