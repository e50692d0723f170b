// JSON-RPC error codes the proxy itself produces (framing, relay, policy), in one place so that
// every layer answers with the same numbers.
/** A JSON-RPC error the proxy itself produces. Codes in the implementation-defined range. */
export const ProxyErrorCode = {
  /** Policy or approval refused the call. */
  Denied: -32001,
  /** The upstream server crashed or could not be started. */
  ServerUnavailable: -32002,
  /** The upstream server did not answer in time. */
  Timeout: -32003,
  /** A message exceeded the size limit. */
  MessageTooLarge: -32004,
  /** The daemon cannot record the call (audit store unwritable) or has no policy: fail closed. */
  FailClosed: -32005,
  /**
   * The server (its version) is decommissioned by policy, past its sunset, or deleted from its
   * registry (main/lifecycle/). data: { reason: "lifecycle", state, rule, source, sunset?,
   * replacement?, latestVersion?, version?, owner?, howToMove? }.
   */
  Decommissioned: -32006,
  /** A rate limit refused the call; `data.retryAfterMs` says when a retry can pass, `data.rule` which limit. */
  RateLimited: -32007,
  /** The server's circuit breaker is open; `data.retryAfterMs` says when a probe call is let through. */
  CircuitOpen: -32008,
  /** An idempotency key was reused with other arguments (or by another tool). */
  IdempotencyConflict: -32009,
} as const;
