"""The server's live path, for pages that cannot run the models themselves: a drawing or a code in, pixels and
numbers out."""
from dataclasses import asdict

from ae.checks import check_code, check_name, check_names, drawing_from, parse_request
from ae.inference import Space, decode, measure, mse, reconstruct
from ae.page import pixels_b64
from ae.strokes import drawing_to_input


def reconstruct_drawing(spaces: dict[str, Space], body: str) -> dict:
    """{"drawing": ..., "spaces": [names]} to what the encoders see and, per space, the code, reconstruction and MSE.

    Pixels travel as base64 of 784 bytes; {"empty": true} for a drawing with no strokes.
    """
    msg = parse_request(body, {"drawing", "spaces"},
                        '{"drawing": {"strokes": [...]} or {"image": ...}, "spaces": [...]}')
    names = check_names(msg["spaces"], list(spaces))
    x = drawing_to_input(drawing_from(msg["drawing"]))  # (1, 1, 28, 28) or None
    if x is None:
        return {"empty": True}
    results = {}
    for name in names:
        code, recon = reconstruct(spaces[name], x)  # (k,), (1, 28, 28)
        results[name] = {"code": code.tolist(), "recon": pixels_b64(recon), "mse": mse(recon, x[0])}
    return {"input": pixels_b64(x), "results": results}


def decode_code(spaces: dict[str, Space], body: str) -> dict:
    """{"space": name, "z": [numbers]} to the decoded image (base64 of 784 bytes) and the off-manifold meter."""
    msg = parse_request(body, {"space", "z"}, f'{{"space": one of {sorted(spaces)}, "z": [numbers]}}')
    space = spaces[check_name(msg["space"], list(spaces))]
    z = check_code(msg["z"], len(space.lo))[0]  # (k,)
    return {"image": pixels_b64(decode(space, z)), **asdict(measure(space, z))}
