// How `switchboard status` shows the logins the HTTP endpoint refused.
import type { AuthFailureSummary } from '../../shared/api/servers.ts';
import { line } from './output.ts';

export function formatAuthFailures(summary: AuthFailureSummary): string[] {
  if (summary.total === 0) return ['logins refused: none since the daemon started'];
  const reasons = Object.entries(summary.byReason).map(([reason, count]) => `${reason} ${count}`).join(', ');
  const lines = [line`logins refused: ${summary.total} since start (${summary.lastMinute} in the last minute, ${summary.lastHour} in the last hour; ${reasons})`];
  for (const failure of summary.recent.slice(0, 5)) {
    lines.push(line`  ${failure.at}  ${failure.status} ${failure.reason}  ${failure.endpoint}  ${failure.client}`);
  }
  return lines;
}
