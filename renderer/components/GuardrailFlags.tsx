// The tools of a server that the injection scan flagged: which rule, which detectors, where in the
// definition, and whether the tool is listed (a hidden tool waits for approval, or is denied).
import { api } from '../api/client.ts';
import { useEvent } from '../hooks/useEvents.ts';
import { useQuery } from '../hooks/useQuery.ts';
import { Badge } from './common.tsx';

export function GuardrailFlags({ serverId }: { serverId: string }) {
  const flags = useQuery(() => api['guardrails.flags']({ serverId }), [serverId]);
  useEvent('guardrail.flag', () => flags.reload());
  useEvent('approval.resolved', () => flags.reload());
  const list = flags.data?.flags ?? [];
  if (list.length === 0) return null;
  return (
    <section className="guardrail-flags" aria-label={`Flagged tools of ${serverId}`}>
      <h3>Flagged by the injection scan</h3>
      <ul>
        {list.map((f) => (
          <li key={f.tool} className="tool flagged">
            <code>{f.tool}</code>{' '}
            <Badge value={f.state === 'hidden' ? 'deny' : 'ask'} label={f.state === 'hidden' ? (f.action === 'ask' ? 'hidden until approved' : 'hidden') : f.state === 'approved' ? 'approved' : 'flagged'} />
            <span className="muted small"> {f.detectors.join(', ')} in {f.where.join(', ')} · rule <code>{f.rule}</code> ({f.action})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
