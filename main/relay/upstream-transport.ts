// What the relay needs from an upstream connection beyond the SDK Transport: why it ended.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export interface UpstreamFailure {
  /** e.g. "crashed (signal SIGKILL)", "exited (code 1)", "closed its connection". */
  summary: string;
  stderrTail: string[];
}

export interface UpstreamTransport extends Transport {
  /** Why the connection ended; called after onclose when the relay did not close it. */
  failure?(): UpstreamFailure;
  /** OS process id for stdio servers. */
  readonly pid?: number | undefined;
}
