// Add or edit a server: stdio (command, arguments, environment, working folder) or remote
// (URL, headers). Environment and header values are plain text or a keychain secret's name —
// the secret's value is never typed here, it is stored on the Settings page (Secrets).
import { useId, useState, type FormEvent } from 'react';
import type { ServerConfig, ValueOrSecret } from '../../shared/config.ts';
import { SERVER_ID_PATTERN } from '../../shared/config.ts';

interface Row {
  key: string;
  kind: 'value' | 'secret';
  value: string;
}

function toRows(record: Record<string, ValueOrSecret> | undefined): Row[] {
  return Object.entries(record ?? {}).map(([key, v]) => (typeof v === 'string' ? { key, kind: 'value', value: v } : { key, kind: 'secret', value: v.secret }));
}

function fromRows(rows: Row[]): Record<string, ValueOrSecret> {
  const out: Record<string, ValueOrSecret> = {};
  for (const row of rows) if (row.key.trim()) out[row.key.trim()] = row.kind === 'secret' ? { secret: row.value.trim() } : row.value;
  return out;
}

function KeyValueEditor({ label, rows, onChange, keyPlaceholder }: { label: string; rows: Row[]; onChange: (rows: Row[]) => void; keyPlaceholder: string }) {
  const update = (index: number, patch: Partial<Row>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv">
      <legend>{label}</legend>
      {rows.length === 0 ? <p className="muted small">None.</p> : null}
      {rows.map((row, index) => (
        <div className="kv-row" key={index}>
          <input aria-label={`${label} name ${index + 1}`} placeholder={keyPlaceholder} value={row.key} onChange={(e) => update(index, { key: e.target.value })} />
          <select aria-label={`${label} kind ${index + 1}`} value={row.kind} onChange={(e) => update(index, { kind: e.target.value as Row['kind'] })}>
            <option value="value">Value</option>
            <option value="secret">Keychain secret</option>
          </select>
          <input aria-label={`${label} value ${index + 1}`} placeholder={row.kind === 'secret' ? 'secret name, e.g. github-token' : 'value'} value={row.value} onChange={(e) => update(index, { value: e.target.value })} />
          <button type="button" className="ghost" aria-label={`Remove ${label} ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>✕</button>
        </div>
      ))}
      <button type="button" className="ghost" onClick={() => onChange([...rows, { key: '', kind: 'value', value: '' }])}>Add {label.toLowerCase().replace(/s$/, '')}</button>
    </fieldset>
  );
}

export function ServerForm({ initial, editing, busy, onSubmit, onCancel }: {
  initial?: Partial<ServerConfig>;
  editing: boolean;
  busy: boolean;
  /** `sandbox`: a new stdio server should get the profile suggested from its command. */
  onSubmit: (server: ServerConfig, options: { sandbox: boolean }) => void;
  onCancel: () => void;
}) {
  const uid = useId();
  const [id, setId] = useState(initial?.id ?? '');
  const [transport, setTransport] = useState<ServerConfig['transport']>(initial?.transport ?? 'stdio');
  const [command, setCommand] = useState(initial && 'command' in initial ? (initial.command ?? '') : '');
  const [args, setArgs] = useState(initial && 'args' in initial ? (initial.args ?? []).join('\n') : '');
  const [cwd, setCwd] = useState(initial && 'cwd' in initial ? (initial.cwd ?? '') : '');
  const [env, setEnv] = useState<Row[]>(toRows(initial && 'env' in initial ? initial.env : undefined));
  const [url, setUrl] = useState(initial && 'url' in initial ? (initial.url ?? '') : '');
  const [headers, setHeaders] = useState<Row[]>(toRows(initial && 'headers' in initial ? initial.headers : undefined));
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [sandboxed, setSandboxed] = useState(false);
  const idValid = SERVER_ID_PATTERN.test(id);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const base = { id: id.trim(), enabled, ...(initial?.registryName ? { registryName: initial.registryName } : {}), ...(initial?.package ? { package: initial.package } : {}) };
    if (transport === 'stdio') {
      // The sandbox profile is edited on its own tab; an edit here keeps it.
      const sandbox = initial && 'sandbox' in initial && initial.sandbox ? { sandbox: initial.sandbox } : {};
      onSubmit({ ...base, transport, command: command.trim(), args: args.split('\n').map((a) => a.trim()).filter(Boolean), env: fromRows(env), ...(cwd.trim() ? { cwd: cwd.trim() } : {}), ...sandbox }, { sandbox: sandboxed && !editing });
    } else {
      onSubmit({ ...base, transport, url: url.trim(), headers: fromRows(headers) }, { sandbox: false });
    }
  };

  return (
    <form className="card form" onSubmit={submit} aria-label={editing ? `Edit server ${id}` : 'Add a server'}>
      <h2>{editing ? `Edit ${id}` : 'Add a server'}</h2>
      <div className="grid-2">
        <label htmlFor={`${uid}-id`}>
          Server id
          <input id={`${uid}-id`} name="id" required value={id} disabled={editing} onChange={(e) => setId(e.target.value)} placeholder="e.g. github" aria-invalid={id !== '' && !idValid} />
          {id !== '' && !idValid ? <span className="field-error">1–64 letters, digits, “.”, “_” or “-”, starting with a letter or digit</span> : null}
        </label>
        <label htmlFor={`${uid}-transport`}>
          Transport
          <select id={`${uid}-transport`} name="transport" value={transport} onChange={(e) => setTransport(e.target.value as ServerConfig['transport'])}>
            <option value="stdio">Local command (stdio)</option>
            <option value="streamable-http">Remote (Streamable HTTP)</option>
            <option value="sse">Remote (legacy SSE)</option>
          </select>
        </label>
      </div>
      {transport === 'stdio' ? (
        <>
          <label htmlFor={`${uid}-command`}>
            Command
            <input id={`${uid}-command`} name="command" required value={command} onChange={(e) => setCommand(e.target.value)} placeholder="npx" />
          </label>
          <label htmlFor={`${uid}-args`}>
            Arguments <span className="muted small">(one per line)</span>
            <textarea id={`${uid}-args`} name="args" rows={3} value={args} onChange={(e) => setArgs(e.target.value)} placeholder={'-y\n@modelcontextprotocol/server-memory'} />
          </label>
          <label htmlFor={`${uid}-cwd`}>
            Working folder <span className="muted small">(optional)</span>
            <input id={`${uid}-cwd`} name="cwd" value={cwd} onChange={(e) => setCwd(e.target.value)} />
          </label>
          <KeyValueEditor label="Environment variables" rows={env} onChange={setEnv} keyPlaceholder="NAME" />
        </>
      ) : (
        <>
          <label htmlFor={`${uid}-url`}>
            URL
            <input id={`${uid}-url`} name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://mcp.example.com/mcp" />
          </label>
          <KeyValueEditor label="Headers" rows={headers} onChange={setHeaders} keyPlaceholder="Authorization" />
        </>
      )}
      <label className="inline">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {transport === 'stdio' && !editing ? (
        <label className="inline">
          <input type="checkbox" checked={sandboxed} onChange={(e) => setSandboxed(e.target.checked)} /> Run in the OS sandbox, with the profile suggested from its command <span className="muted small">(review it on the Sandbox tab)</span>
        </label>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !idValid}>{busy ? 'Saving…' : editing ? 'Save' : 'Add server'}</button>
        <button type="button" className="ghost" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
