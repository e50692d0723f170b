// Updates API: the app's version and its self-update state (desktop app; the headless daemon
// reports itself as not updating itself), a check now, and installing a downloaded update.
import { z } from 'zod';
import { method } from './define.ts';

export const UpdateStatusSchema = z.object({
  currentVersion: z.string(),
  state: z.enum(['unavailable', 'disabled', 'idle', 'checking', 'up-to-date', 'not-allowed', 'downloading', 'downloaded', 'error']),
  reason: z.string().optional(),
  feedUrl: z.string().optional(),
  channel: z.string().optional(),
  pin: z.string().optional(),
  source: z.string().optional(),
  availableVersion: z.string().optional(),
  checkedAt: z.string().optional(),
  error: z.string().optional(),
});
export type UpdateStatusView = z.infer<typeof UpdateStatusSchema>;

export const updatesContract = {
  'updates.status': method(z.object({}).strict(), UpdateStatusSchema, 'The running version and the self-update state: off and why, checking, up to date, downloaded…'),
  'updates.check': method(z.object({}).strict(), UpdateStatusSchema, 'Check the update feed now (nothing happens when updates are off or pinned to this version)'),
  'updates.install': method(z.object({}).strict(), z.object({ installing: z.literal(true) }), 'Quit and install the downloaded update'),
};
