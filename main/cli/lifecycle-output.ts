// How `status` and `server list` show a server's lifecycle: one line under the server when it is
// not plainly active (deprecated, decommissioned, deleted), with the message, the active version
// or replacement, and whom to ask.
import type { ServerStatus } from '../../shared/api/servers.ts';
import { line } from './output.ts';

export function lifecycleStatusLines(status: Pick<ServerStatus, 'lifecycle'>): string {
  const lifecycle = status.lifecycle;
  if (!lifecycle || lifecycle.state === 'active') return '';
  const head = lifecycle.refused ? `${lifecycle.state.toUpperCase()}: calls are refused` : lifecycle.state.toUpperCase();
  let text = line`\n      lifecycle: ${head} (${lifecycle.source}: ${lifecycle.rule})`;
  if (lifecycle.message) text += line` — ${lifecycle.message}`;
  const facts: string[] = [];
  if (lifecycle.version) facts.push(`runs ${lifecycle.version}`);
  if (lifecycle.latestVersion) facts.push(`latest ${lifecycle.latestVersion}`);
  if (lifecycle.replacement) facts.push(`replacement ${lifecycle.replacement}`);
  if (lifecycle.sunset) facts.push(`sunset ${lifecycle.sunset}`);
  if (lifecycle.owner) facts.push(`owner ${lifecycle.owner}`);
  if (facts.length > 0) text += line`\n      ${facts.join(', ')}`;
  if (lifecycle.howToMove) text += line`\n      to move: ${lifecycle.howToMove}`;
  return text;
}
