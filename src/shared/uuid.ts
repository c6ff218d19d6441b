/** A version-4 UUID; `crypto.randomUUID` only exists in secure contexts, so fall back to getRandomValues. */
export function uuidv4(): string {
  // Every 0 and 1 of the template becomes a random hex digit, the 8 a random one of 8 to b (the
  // variant); the 4 stays (the version).
  return (
    crypto.randomUUID?.() ??
    '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16))
  );
}

/** Glia custom commands: "Custom command ID must be a Version 4 UUID". */
export function isUuidV4(value: unknown): value is string {
  return typeof value === 'string' && /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/i.test(value);
}
