// Handlers of the audit contract, over the audit queries and the forwarder.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { auditContract } from '../../shared/api/audit.ts';
import type { ForwarderStatus } from '../../shared/audit.ts';
import { InvalidCursorError, type AuditQueries } from '../audit/audit-queries.ts';
import { csvHeader, formatRecord } from '../audit/audit-export.ts';

export interface AuditHandlerDeps {
  readonly queries: AuditQueries;
  /** Absent when no gateway is configured: status says "disabled". */
  readonly forwarder?: { status(): ForwarderStatus; retryFailed(): number };
}

const DISABLED: ForwarderStatus = {
  enabled: false, url: null, state: 'disabled', backlog: 0, failed: 0, deliveredSinceStart: 0, droppedTotal: 0, rejectedTotal: 0,
  lastSuccessAt: null, lastError: null, nextAttemptAt: null, inventorySentAt: null,
};

export function createAuditHandlers(deps: AuditHandlerDeps): Handlers<typeof auditContract> {
  const cursorErrors = async <T>(run: () => T): Promise<T> => {
    try {
      return run();
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new ApiError({ code: 'invalid_input', message: error.message });
      throw error;
    }
  };
  return {
    'audit.query': (input) => cursorErrors(() => deps.queries.list(input)),
    'audit.get': async ({ id }) => {
      const record = deps.queries.get(id);
      if (!record) throw new ApiError({ code: 'not_found', message: `no audit record with id "${id}"` });
      return record;
    },
    'audit.stats': async (input) => ({ rows: deps.queries.stats(input) }),
    'audit.timeline': async (input) => ({ buckets: deps.queries.timeline(input) }),
    'audit.export': (input) => cursorErrors(() => {
      const { format, cursor, limit, ...filter } = input;
      const records = deps.queries.listAscending(filter, limit, cursor);
      let content = format === 'csv' && cursor === undefined ? csvHeader() : '';
      for (const record of records) content += formatRecord(record, format);
      return { format, content, count: records.length, nextCursor: records.length === limit ? records[records.length - 1]!.id : null };
    }),
    'forwarder.status': async () => deps.forwarder?.status() ?? DISABLED,
    'forwarder.retryFailed': async () => ({ requeued: deps.forwarder?.retryFailed() ?? 0 }),
  };
}
