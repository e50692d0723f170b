// A server's lifecycle on the Servers page: a badge on its row (deprecated: warn; decommissioned or
// deleted: bad, its calls are refused) with the message on hover, and one line in its details.
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import { Badge } from './common.tsx';

function summary(lifecycle: ServerLifecycle): string {
  const parts = [`${lifecycle.state} (${lifecycle.source}: ${lifecycle.rule})`];
  if (lifecycle.refused) parts.push('calls are refused');
  if (lifecycle.message) parts.push(lifecycle.message);
  if (lifecycle.latestVersion) parts.push(`latest version ${lifecycle.latestVersion}`);
  if (lifecycle.replacement) parts.push(`replacement ${lifecycle.replacement}`);
  if (lifecycle.sunset) parts.push(`sunset ${lifecycle.sunset.slice(0, 10)}`);
  if (lifecycle.owner) parts.push(`owner ${lifecycle.owner}`);
  if (lifecycle.howToMove) parts.push(`to move: ${lifecycle.howToMove}`);
  return parts.join(' · ');
}

export function LifecycleBadge({ lifecycle }: { lifecycle: ServerLifecycle | undefined }) {
  if (!lifecycle || lifecycle.state === 'active') return null;
  return <span className="lifecycle" title={summary(lifecycle)} aria-label={`lifecycle: ${summary(lifecycle)}`}><Badge value={lifecycle.refused ? 'deny' : 'ask'} label={lifecycle.state} /></span>;
}

export function LifecycleFact({ lifecycle }: { lifecycle: ServerLifecycle | undefined }) {
  if (!lifecycle || (lifecycle.state === 'active' && !lifecycle.owner)) return null;
  return <><dt>Lifecycle</dt><dd>{summary(lifecycle)}</dd></>;
}
