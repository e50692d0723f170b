// How many bytes a JSON-RPC message had on the wire. The transports that parse messages (NDJSON
// lines, a single-message HTTP body) note it as they parse, so the audit records a call's bytes
// in and out without serialising each message a second time. A message nobody noted (made by the
// proxy, or parsed by the SDK's HTTP client) is measured by serialising it.
const sizes = new WeakMap<object, number>();

export function noteWireSize(message: object, bytes: number): void {
  sizes.set(message, bytes);
}

export function messageBytes(message: object): number {
  return sizes.get(message) ?? Buffer.byteLength(JSON.stringify(message));
}
