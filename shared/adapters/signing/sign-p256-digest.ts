import { createHmac } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

type Jacobian = { x: bigint; y: bigint; z: bigint };
const INFINITY: Jacobian = { x: 0n, y: 1n, z: 0n };

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

const powMod = (base: bigint, exponent: bigint, m: bigint): bigint => {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
};

/** Inverse modulo a prime (Fermat). */
const invert = (a: bigint, m: bigint): bigint => powMod(a, m - 2n, m);

/** Point doubling for a = -3 (dbl-2001-b). */
const double = (q: Jacobian): Jacobian => {
  if (q.z === 0n || q.y === 0n) return INFINITY;
  const delta = (q.z * q.z) % P;
  const gamma = (q.y * q.y) % P;
  const beta = (q.x * gamma) % P;
  const alpha = mod(3n * (q.x - delta) * (q.x + delta), P);
  const x = mod(alpha * alpha - 8n * beta, P);
  const z = mod((q.y + q.z) * (q.y + q.z) - gamma - delta, P);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, P);
  return { x, y, z };
};

/** Adds an affine point (x2, y2) to a Jacobian point. */
const addAffine = (q: Jacobian, x2: bigint, y2: bigint): Jacobian => {
  if (q.z === 0n) return { x: x2, y: y2, z: 1n };
  const z1z1 = (q.z * q.z) % P;
  const u2 = (x2 * z1z1) % P;
  const s2 = (((y2 * q.z) % P) * z1z1) % P;
  const h = mod(u2 - q.x, P);
  const r = mod(s2 - q.y, P);
  if (h === 0n) return r === 0n ? double(q) : INFINITY;
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (q.x * hh) % P;
  const x = mod(r * r - hhh - 2n * v, P);
  const y = mod(r * (v - x) - q.y * hhh, P);
  return { x, y, z: (q.z * h) % P };
};

/** x coordinate of k·G. */
const baseMultiplyX = (k: bigint): bigint => {
  let acc = INFINITY;
  for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit--) {
    acc = double(acc);
    if ((k >> bit) & 1n) acc = addAffine(acc, GX, GY);
  }
  const zInv = invert(acc.z, P);
  return (acc.x * zInv * zInv) % P;
};

const toInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
const to32Bytes = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

const hmac = (key: Buffer, ...parts: Uint8Array[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** Deterministic nonces (RFC 6979, HMAC-SHA-256, qlen = hlen = 256). */
function* rfc6979Nonces(privateScalar: bigint, digest: Uint8Array): Generator<bigint> {
  const x = to32Bytes(privateScalar);
  const h = to32Bytes(mod(toInt(digest), N));
  let v: Buffer = Buffer.alloc(32, 1);
  let k: Buffer = Buffer.alloc(32, 0);
  k = hmac(k, v, Buffer.of(0), x, h);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.of(1), x, h);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const candidate = toInt(v);
    if (candidate >= 1n && candidate < N) yield candidate;
    k = hmac(k, v, Buffer.of(0));
    v = hmac(k, v);
  }
}

const derInteger = (value: bigint): Buffer => {
  let bytes = Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.subarray(1);
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
};

/**
 * ECDSA P-256 signature over a SHA-256 digest as given (no further hashing), DER-encoded
 * (`Ecdsa-Sig-Value`), exactly what KMS Sign returns with MessageType DIGEST.
 *
 * node:crypto always hashes its input for EC keys, hence this implementation. It is not
 * constant-time: it serves the embedded runtime's local keys, never production keys (KMS).
 */
export function signP256Digest(privateKey: Uint8Array, digest: Uint8Array): Uint8Array {
  if (digest.length !== 32)
    throw new RangeError(`expected a 32-byte SHA-256 digest, got ${digest.length} bytes`);
  const d = toInt(privateKey);
  if (d <= 0n || d >= N) throw new RangeError('invalid P-256 private key');
  const e = mod(toInt(digest), N);
  for (const k of rfc6979Nonces(d, digest)) {
    const r = baseMultiplyX(k) % N;
    if (r === 0n) continue;
    const s = mod(invert(k, N) * (e + r * d), N);
    if (s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return new Uint8Array(Buffer.concat([Buffer.of(0x30, body.length), body]));
  }
  throw new Error('unreachable');
}
