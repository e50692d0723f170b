// Profiles: named tool surfaces. Pick a profile, choose its servers and, per tool, whether it is in
// the profile and visible or deferred, against the visible cap; the preview is exactly what a
// client of the profile gets in tools/list (asked of the daemon for the unsaved draft), and the
// page says which clients and tokens use each profile.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner } from '../components/common.tsx';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';

type Draft = Parameters<(typeof api)['profiles.create']>[0]['profile'];
type Detail = Awaited<ReturnType<(typeof api)['profiles.show']>>;
type Preview = Awaited<ReturnType<(typeof api)['profiles.preview']>>;

const key = (serverId: string, toolName: string) => `${serverId}/${toolName}`;

function draftOf(detail: Detail): Draft {
  return detail.configured ?? { name: detail.name, servers: detail.profile.servers };
}

export function ProfilesPage() {
  const served = useServed('profiles.list');
  const profiles = useQuery(() => api['profiles.list']({}), []);
  const servers = useQuery(() => api['servers.list']({}), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [newName, setNewName] = useState('');

  const list = profiles.data?.profiles ?? [];
  useEffect(() => {
    if (selected === null && list.length > 0) setSelected(list.find((p) => p.name !== 'default')?.name ?? list[0]!.name);
  }, [list, selected]);

  const create = useAction(async () => {
    const name = newName.trim();
    const ids = (servers.data?.servers ?? []).map((s) => s.config.id);
    if (ids.length === 0) throw new Error('Add a server first: a profile needs at least one.');
    await api['profiles.create']({ profile: { name, servers: ids } });
    setNewName('');
    setMessage(`Created profile ${name} with every server; choose its tools below.`);
    setSelected(name);
    profiles.reload();
  });

  if (!served || profiles.notAvailable) return <><PageHeader title="Profiles" /><NotAvailable what="Profiles" /></>;
  return (
    <>
      <PageHeader
        title="Profiles"
        description="A profile is the set of tools one client sees at one endpoint (/mcp, or `switchboard bridge --profile`): a few visible, the rest deferred and found with find_tools."
      />
      {message ? <div className="notice" role="status">{message}</div> : null}
      <ErrorBanner error={create.error ?? profiles.error} onRetry={profiles.error ? profiles.reload : undefined} />
      {profiles.loading && !profiles.data ? <Spinner label="Loading profiles…" /> : null}
      <section className="card" aria-labelledby="profiles-list">
        <h2 id="profiles-list">Profiles</h2>
        <table>
          <thead><tr><th>Name</th><th>Defined by</th><th>Servers</th><th>Used by</th></tr></thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.name} aria-selected={p.name === selected}>
                <td><button type="button" className={p.name === selected ? '' : 'ghost'} onClick={() => { setSelected(p.name); setMessage(null); }}>{p.name}</button></td>
                <td><Badge value={p.source === 'config' ? 'neutral' : 'ok'} label={p.narrowedBy.length ? `${p.source}, narrowed` : p.source} /></td>
                <td>{p.servers.join(', ') || <span className="muted">none</span>}{p.missing.length ? <div className="muted small">missing: {p.missing.map((m) => m.server).join(', ')}</div> : null}</td>
                <td>{[...p.usedBy.clients.map((c) => c.client), ...p.usedBy.tokens.map((t) => `token ${t}`)].join(', ') || <span className="muted">nobody yet</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="row-actions" aria-label="New profile" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
          <label>New profile name <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="work" /></label>
          <button type="submit" disabled={create.busy || newName.trim() === ''}>Create profile</button>
        </form>
      </section>
      {selected ? <ProfileEditor key={selected} name={selected} allServers={(servers.data?.servers ?? []).map((s) => s.config.id)} onSaved={(text) => { setMessage(text); profiles.reload(); }} /> : null}
      {profiles.data && list.length === 0 ? <EmptyState title="No profiles" /> : null}
    </>
  );
}

function ProfileEditor({ name, allServers, onSaved }: { name: string; allServers: string[]; onSaved: (message: string) => void }) {
  const detail = useQuery(() => api['profiles.show']({ name }), [name]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [search, setSearch] = useState('');
  useEffect(() => {
    if (detail.data && draft === null) setDraft(draftOf(detail.data));
  }, [detail.data, draft]);
  const draftKey = JSON.stringify(draft);
  const preview = useQuery<Preview | undefined>(() => (draft ? api['profiles.preview']({ profile: draft }) : Promise.resolve(undefined)), [draftKey]);

  const save = useAction(async () => {
    if (!draft || !detail.data) return;
    const saved = detail.data.configured || detail.data.source !== 'config'
      ? await api['profiles.edit']({ name, profile: draft })
      : await api['profiles.create']({ profile: draft });
    onSaved(`Saved profile ${saved.name}${saved.missing.length ? `; missing: ${saved.missing.map((m) => `${m.server} (${m.reason})`).join(', ')}` : ''}.`);
    detail.reload();
  });

  const groups = useMemo(() => {
    const byServer = new Map<string, Array<{ toolName: string; exposedName: string; visibility: 'visible' | 'deferred' | 'excluded'; description?: string }>>();
    for (const t of preview.data?.tools ?? []) {
      byServer.set(t.serverId, [...(byServer.get(t.serverId) ?? []), { toolName: t.toolName, exposedName: t.exposedName, visibility: t.visibility, ...(t.description ? { description: t.description } : {}) }]);
    }
    for (const t of preview.data?.excluded ?? []) byServer.set(t.serverId, [...(byServer.get(t.serverId) ?? []), { toolName: t.toolName, exposedName: '', visibility: 'excluded' }]);
    const needle = search.trim().toLowerCase();
    return [...byServer.entries()].map(([serverId, tools]) => ({
      serverId,
      tools: tools.filter((t) => !needle || `${serverId}/${t.toolName} ${t.exposedName} ${t.description ?? ''}`.toLowerCase().includes(needle)).sort((a, b) => (a.toolName < b.toolName ? -1 : 1)),
    }));
  }, [preview.data, search]);

  if (detail.loading && !detail.data) return <Spinner label={`Loading ${name}…`} />;
  if (!detail.data || !draft) return <ErrorBanner error={detail.error} onRetry={detail.reload} />;
  const d = detail.data;
  const update = (change: (next: Draft) => void) => {
    const next: Draft = JSON.parse(JSON.stringify(draft)) as Draft;
    change(next);
    setDraft(next);
  };
  const setIncluded = (serverId: string, toolName: string, on: boolean) => update((next) => {
    const k = key(serverId, toolName);
    const exclude = (next.exclude ?? []).filter((g) => g !== k);
    if (!on) exclude.push(k);
    if (exclude.length > 0) next.exclude = exclude;
    else delete next.exclude;
  });
  const setVisibility = (serverId: string, toolName: string, visibility: 'visible' | 'deferred') => update((next) => {
    next.tools = { ...next.tools, [key(serverId, toolName)]: { ...next.tools?.[key(serverId, toolName)], visibility } };
  });
  const toggleServer = (id: string, on: boolean) => update((next) => {
    const ids = next.servers.filter((s) => s !== id);
    next.servers = on ? [...ids, id] : ids;
  });
  const counts = preview.data?.counts;
  // Left out in the draft: unchecked at once, before the preview of the draft comes back.
  const excludedHere = new Set(draft.exclude ?? []);
  const namedServers = new Set(draft.servers.filter((s): s is string => typeof s === 'string'));

  return (
    <section className="card" aria-labelledby="profile-editor">
      <h2 id="profile-editor">Profile {d.name}</h2>
      <p className="muted small">
        Defined by {d.source}{d.narrowedBy.length ? `, narrowed by ${d.narrowedBy.join(' and ')} (a profile policy ships can only be narrowed)` : ''}.
        {' '}Used by: {[...d.usedBy.clients.map((c) => `${c.client} (${c.file})`), ...d.usedBy.tokens.map((t) => `token ${t}`)].join(', ') || 'no client yet'}.
      </p>
      {d.missing.length ? <ul aria-label="Missing servers">{d.missing.map((m) => <li key={m.server}><strong>{m.server}</strong>: {m.reason}</li>)}</ul> : null}
      <fieldset>
        <legend>Servers</legend>
        {allServers.map((id) => (
          <label key={id} className="inline"><input type="checkbox" checked={namedServers.has(id)} onChange={(e) => toggleServer(id, e.target.checked)} /> {id}</label>
        ))}
        {draft.servers.some((s) => typeof s !== 'string') ? <p className="muted small">Also servers matched by policy-style matchers.</p> : null}
      </fieldset>
      <div className="grid-3">
        <label>Visible at most <input type="number" min={1} value={draft.maxVisible ?? ''} placeholder="no cap" onChange={(e) => update((next) => { if (e.target.value === '') delete next.maxVisible; else next.maxVisible = Number(e.target.value); })} /></label>
        <label>Other tools are <select value={draft.visibility ?? 'visible'} onChange={(e) => update((next) => { next.visibility = e.target.value as 'visible' | 'deferred'; })}><option value="visible">visible</option><option value="deferred">deferred</option></select></label>
        <label>Search tools <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or description" /></label>
      </div>
      <p role="status" aria-label="Tool counts">
        {counts ? <><strong>{counts.visible}</strong> visible{counts.maxVisible !== undefined ? ` of ${counts.maxVisible} allowed` : ''} · <strong>{counts.deferred}</strong> deferred · {counts.excluded} left out</> : '…'}
      </p>
      <ErrorBanner error={save.error ?? preview.error} />
      <div className="grid-2">
        <div aria-label="Tool picker">
          {groups.filter((group) => group.tools.length > 0).map((group) => (
            <fieldset key={group.serverId}>
              <legend>{group.serverId}{preview.data?.toolsFrom[group.serverId] === 'pins' ? ' (not running: tools last seen)' : ''}</legend>
              <table>
                <tbody>
                  {group.tools.map((t) => (
                    <tr key={t.toolName}>
                      <td><label><input type="checkbox" aria-label={`include ${group.serverId}/${t.toolName}`} checked={t.visibility !== 'excluded' && !excludedHere.has(key(group.serverId, t.toolName))} onChange={(e) => setIncluded(group.serverId, t.toolName, e.target.checked)} /> {t.toolName}</label></td>
                      <td>{t.visibility === 'excluded' ? <span className="muted">left out</span> : (
                        <select aria-label={`visibility of ${group.serverId}/${t.toolName}`} value={t.visibility} onChange={(e) => setVisibility(group.serverId, t.toolName, e.target.value as 'visible' | 'deferred')}>
                          <option value="visible">visible</option>
                          <option value="deferred">deferred</option>
                        </select>
                      )}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </fieldset>
          ))}
        </div>
        <div>
          <h3>What a client sees in tools/list</h3>
          <ol aria-label="tools/list preview">
            {(preview.data?.listed ?? []).map((t) => <li key={t.name}><code>{t.name}</code></li>)}
          </ol>
          {preview.data && preview.data.counts.deferred > 0 ? <p className="muted small">Deferred tools are found with find_tools, added with load_tools, or called with call_tool.</p> : null}
        </div>
      </div>
      <div className="row-actions">
        <button type="button" disabled={save.busy} onClick={() => void save.run()}>Save profile</button>
        <button type="button" className="ghost" disabled={save.busy} onClick={() => setDraft(draftOf(d))}>Discard changes</button>
      </div>
    </section>
  );
}
