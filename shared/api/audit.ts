// API of the audit domain: the activity log (filtered pages, stats, timeline, export pages) and
// the forwarder's delivery state.
import { z } from 'zod';
import {
  AuditFilterSchema, AuditPageSchema, AuditQuerySchema, AuditRecordSchema, AuditStatsQuerySchema, AuditStatsRowSchema,
  AuditTimelineBucketSchema, AuditTimelineQuerySchema, ForwarderStatusSchema,
} from '../audit.ts';
import { method } from './define.ts';

export const AuditExportInputSchema = AuditFilterSchema.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  /** The id of the last record of the previous chunk (oldest first); omit for the first chunk. */
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(5000).default(1000),
}).strict();

export const auditContract = {
  'audit.query': method(AuditQuerySchema, AuditPageSchema, 'A page of audit records, newest first, filtered; pass nextCursor for older ones'),
  'audit.get': method(z.object({ id: z.string() }), AuditRecordSchema, 'One audit record by id'),
  'audit.stats': method(AuditStatsQuerySchema, z.object({ rows: z.array(AuditStatsRowSchema) }), 'Call counts, errors, denials and latency percentiles per server or tool'),
  'audit.timeline': method(AuditTimelineQuerySchema, z.object({ buckets: z.array(AuditTimelineBucketSchema) }), 'Call counts per time bucket, for charts'),
  'audit.export': method(
    AuditExportInputSchema,
    z.object({ format: z.enum(['jsonl', 'csv']), content: z.string(), count: z.number().int(), nextCursor: z.string().nullable() }),
    'One chunk of audit records as JSON lines or CSV, oldest first (the CLI streams the whole store instead)',
  ),
  'forwarder.status': method(z.object({}), ForwarderStatusSchema, 'Delivery to the enterprise gateway: backlog, failures, last success and last error'),
  'forwarder.retryFailed': method(z.object({}), z.object({ requeued: z.number().int() }), 'Retry now: queue the batches the gateway refused again and try delivery at once, forgetting the backoff (after fixing the network, token or gateway)'),
};
