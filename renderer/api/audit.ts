// The audit API for the Activity and Settings pages, through the typed client: method names,
// inputs and results are the audit contract's (shared/api/audit.ts), validated on arrival.
import type { AuditFilter, AuditPage, AuditQuery, AuditStatsQuery, AuditStatsRow, AuditTimelineBucket, AuditTimelineQuery, ForwarderStatus } from '../../shared/audit.ts';
import { api } from './client.ts';

export function queryAudit(query: AuditQuery): Promise<AuditPage> {
  return api['audit.query'](query);
}

export async function auditStats(query: AuditStatsQuery): Promise<AuditStatsRow[]> {
  return (await api['audit.stats'](query)).rows;
}

export async function auditTimeline(query: AuditTimelineQuery): Promise<AuditTimelineBucket[]> {
  return (await api['audit.timeline'](query)).buckets;
}

export function forwarderStatus(): Promise<ForwarderStatus> {
  return api['forwarder.status']({});
}

/** Queues the batches the gateway refused for another attempt; resolves with how many records. */
export async function retryFailedDeliveries(): Promise<number> {
  return (await api['forwarder.retryFailed']({})).requeued;
}

const EXPORT_CHUNK = 5000;

/**
 * Every record matching the filter, oldest first, as JSON lines or CSV (one header line), fetched
 * in chunks from audit.export; `progress` is called with the running count after each chunk.
 */
export async function exportAudit(filter: AuditFilter, format: 'jsonl' | 'csv', progress: (count: number) => void): Promise<{ content: string; count: number }> {
  const parts: string[] = [];
  let count = 0;
  let cursor: string | undefined;
  do {
    const chunk = await api['audit.export']({ ...filter, format, limit: EXPORT_CHUNK, ...(cursor ? { cursor } : {}) });
    parts.push(chunk.content);
    count += chunk.count;
    progress(count);
    cursor = chunk.nextCursor ?? undefined;
  } while (cursor);
  return { content: parts.join(''), count };
}
