// The off-manifold meter (ae/meter.py and ae/inference.py's measure, the same numbers): the distance from a code
// to the nearest of 10,000 training codes, as a percentile of how far the test digits lie from theirs.

export function fromHalf(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// ae/page.py's meter_pack: reference (m,) float32, codes (n, k) float16, labels (n,) uint8, little-endian
export function unpack(buffer, { codes: n, reference: m }, k) {
  const reference = new Float32Array(buffer.slice(0, 4 * m));
  const half = new Uint16Array(buffer.slice(4 * m, 4 * m + 2 * n * k));
  const codes = Float64Array.from(half, fromHalf); // (n * k), row-major
  const labels = new Uint8Array(buffer.slice(4 * m + 2 * n * k, 4 * m + 2 * n * k + n));
  const norms = new Float64Array(n); // |r|^2 per row, as the server's one-code search uses them
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) norms[i] += codes[i * k + j] ** 2;
  }
  return { reference, codes, labels, norms, k };
}

export function measure(pack, z, warnPercentile) {
  const { reference, codes, labels, norms, k } = pack;
  let best = Infinity, index = 0; // min over rows of |r|^2 - 2 r.z, then + |z|^2: the server's arithmetic
  for (let i = 0; i < labels.length; i++) {
    let dot = 0;
    for (let j = 0; j < k; j++) dot += codes[i * k + j] * z[j];
    const v = norms[i] - 2 * dot;
    if (v < best) [best, index] = [v, i];
  }
  const distance = Math.sqrt(Math.max(best + z.reduce((s, v) => s + v * v, 0), 0));
  const d32 = Math.fround(distance); // the server compares in float32, the reference's type
  let lo = 0, hi = reference.length; // how many reference distances are <= d
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reference[mid] <= d32) lo = mid + 1;
    else hi = mid;
  }
  const percentile = (100 * lo) / reference.length;
  return { distance, digit: labels[index], percentile, typical: reference[reference.length >> 1],
           warn: percentile > warnPercentile };
}
