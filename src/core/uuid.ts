/** Lowercase hex of `bytes`, two digits each (also the signature's encoding). */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');

/** A version-4 UUID; `crypto.randomUUID` only exists in secure contexts, so fall back to getRandomValues. */
export function uuidv4(): string {
  return (
    crypto.randomUUID?.() ??
    toHex(crypto.getRandomValues(new Uint8Array(16)).map((b, i) => (i == 6 ? (b & 15) | 64 : i == 8 ? (b & 63) | 128 : b))).replace(
      /(.{8})(.{4})(.{4})(.{4})/,
      '$1-$2-$3-$4-',
    )
  );
}

/** Seed 000: "Custom command ID must be a Version 4 UUID". */
export function isUuidV4(value: unknown): value is string {
  return typeof value == 'string' && /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/i.test(value);
}
