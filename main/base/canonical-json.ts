// Stable JSON: object keys sorted by UTF-16 code unit, no whitespace, undefined members dropped.
// Used for signatures over org policies, pin hashes and "identical call" keys, so two equal
// values always serialize to the same bytes.
export function canonicalJson(value: unknown): string {
  return serialize(value) ?? 'null';
}

function serialize(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (Array.isArray(value)) return `[${value.map((item) => serialize(item) ?? 'null').join(',')}]`;
  const object = value as Record<string, unknown>;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return serialize((object as { toJSON: () => unknown }).toJSON());
  const members: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const member = serialize(object[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}
