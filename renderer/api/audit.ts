// The audit API for the Activity and Settings pages. Results are validated with the audit
// domain's shared schemas; the method names are the audit domain's (issue 3).
import { z } from 'zod';
import { AuditPageSchema, AuditStatsRowSchema, AuditTimelineBucketSchema, ForwarderStatusSchema, type AuditFilter, type AuditPage, type AuditStatsRow, type AuditTimelineBucket, type ForwarderStatus } from '../../shared/audit.ts';
import { callMethod } from './client.ts';

function listOf<T>(schema: z.ZodType<T>, raw: unknown, keys: string[]): T[] {
  const value = Array.isArray(raw) ? raw : keys.map((k) => (raw as Record<string, unknown> | null)?.[k]).find(Array.isArray);
  return z.array(schema).parse(value ?? []);
}

export const auditMethods = { query: 'audit.query', stats: 'audit.stats', timeline: 'audit.timeline', forwarder: 'audit.forwarderStatus' } as const;

export async function queryAudit(filter: AuditFilter & { cursor?: string; limit?: number }): Promise<AuditPage> {
  return AuditPageSchema.parse(await callMethod(auditMethods.query, filter));
}

export async function auditStats(filter: AuditFilter & { groupBy?: 'server' | 'tool' }): Promise<AuditStatsRow[]> {
  return listOf(AuditStatsRowSchema, await callMethod(auditMethods.stats, filter), ['rows', 'stats']);
}

export async function auditTimeline(filter: AuditFilter & { bucketMs?: number }): Promise<AuditTimelineBucket[]> {
  return listOf(AuditTimelineBucketSchema, await callMethod(auditMethods.timeline, filter), ['buckets', 'timeline']);
}

export async function forwarderStatus(): Promise<ForwarderStatus> {
  const raw = await callMethod(auditMethods.forwarder, {});
  const value = (raw as { status?: unknown } | null)?.status ?? raw;
  return ForwarderStatusSchema.parse(value);
}
