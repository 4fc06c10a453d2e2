"""The measured sampling table as the README and the page show it (no torch: the app renders it)."""
COLUMNS = ["row", "mean confidence", "share >= 0.9", "class entropy (bits, max 3.32)", "Frechet distance",
           "precision", "recall", "density", "coverage", "among real digits"]


def format_table(rows: list[dict]) -> str:
    """The rows as a Markdown table with the columns in COLUMNS."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" + "---:|" * (len(COLUMNS) - 1)]
    for r in rows:
        # both are >= 0, but one class gives an entropy of -0.0 and identical sets a distance of about -1e-12
        entropy, frechet = max(0.0, r["class_entropy_bits"]), max(0.0, r["frechet"])
        lines.append(f"| {r['row']} | {r['confidence']:.3f} | {r['confident_share']:.3f} | {entropy:.2f} | "
                     f"{frechet:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['density']:.3f} | "
                     f"{r['coverage']:.3f} | {r['realistic_share']:.3f} |")
    return "\n".join(lines)
