// The Catalog: search the configured MCP registries; each entry says whether policy allows the
// server it installs (and which rule blocks it), its registry status (deprecated, deleted) and
// whether it is installed with an update available. Details show the packages, remotes, versions
// and what installing asks for; secret inputs are password fields and go to the keychain only.
// #/catalog?name=<registry name>[&version=][&registry=] (the switchboard://install?name=… link)
// opens an entry's details at once.
import { useState } from 'react';
import type { CatalogEntry, RegistrySourceState } from '../../shared/api/registry.ts';
import { api } from '../api/client.ts';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner } from '../components/common.tsx';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { navigate, type Route } from '../router.ts';

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function SourceLine({ source }: { source: RegistrySourceState }) {
  const label = source.name ?? source.url;
  if (source.error) return <p className="error-banner" role="alert">{label}: unavailable and nothing cached — {source.error}</p>;
  if (source.offline) {
    return <p className="warning-banner" role="status" aria-label={`${label} offline`}>{label} is offline: showing the catalog cached {formatAge(source.ageSeconds ?? 0)} ago. <span className="muted small">{source.offline}</span></p>;
  }
  return <p className="muted small">{label}: fetched {formatAge(source.ageSeconds ?? 0)} ago{source.pages ? `, ${source.pages} page${source.pages === 1 ? '' : 's'}` : ''}</p>;
}

function PolicyBadge({ entry }: { entry: CatalogEntry }) {
  if (entry.policy.allowed) return <Badge value="allow" label="allowed by policy" />;
  return <span title={entry.policy.reason}><Badge value="deny" label={`blocked: ${entry.policy.source ? `${entry.policy.source} ` : ''}${entry.policy.rule ?? 'policy'}`} /></span>;
}

function StatusBadges({ entry }: { entry: CatalogEntry }) {
  return (
    <>
      {entry.status !== 'active' ? <span title={entry.statusMessage}><Badge value={entry.status === 'deleted' ? 'deny' : 'ask'} label={entry.status} /></span> : null}
      {entry.installed.map((i) => <Badge key={i.id} value={i.updateAvailable ? 'pending' : 'ok'} label={i.updateAvailable ? `installed as ${i.id} (${i.version}): update available` : `installed as ${i.id}`} />)}
    </>
  );
}

function Details({ name, version, registry, onInstalled }: { name: string; version?: string; registry?: string; onInstalled: () => void }) {
  const shown = useQuery(() => api['registry.show']({ name, ...(version ? { version } : {}), ...(registry ? { registry } : {}) }), [name, version, registry]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [id, setId] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const install = useAction(async () => {
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    const result = await api['registry.install']({ name, ...(version ? { version } : {}), ...(registry ? { registry } : {}), ...(id ? { id } : {}), values: given });
    setValues({});
    setDone(`Installed “${result.server.id}”${result.secrets.length > 0 ? `; ${result.secrets.length} secret${result.secrets.length === 1 ? '' : 's'} kept in the OS keychain` : ''}.`);
    onInstalled();
  });
  const upgrade = useAction(async (serverId: string) => {
    const result = await api['registry.upgrade']({ id: serverId });
    setDone(result.changed ? `Upgraded “${serverId}” from ${result.from} to ${result.to}.` : `“${serverId}” is already at the latest version.`);
    shown.reload();
    onInstalled();
  });
  if (shown.loading && !shown.data) return <Spinner label={`Reading ${name}…`} />;
  if (shown.error) return <ErrorBanner error={shown.error} onRetry={shown.reload} />;
  if (!shown.data) return null;
  const { entry, inputs, versions } = shown.data;
  return (
    <section className="card" aria-labelledby="entry-title">
      <h2 id="entry-title">{entry.server.title ?? entry.server.name} <span className="muted small">{entry.server.version}</span></h2>
      <p><code>{entry.server.name}</code> — {entry.server.description}</p>
      <p><PolicyBadge entry={entry} /> <StatusBadges entry={entry} /></p>
      {!entry.policy.allowed && entry.policy.reason ? <p className="muted small" aria-label="Why policy blocks it">{entry.policy.reason}</p> : null}
      {entry.statusMessage ? <p className="warning-banner">{entry.status}: {entry.statusMessage}</p> : null}
      <ul aria-label="What it runs">
        {(entry.server.packages ?? []).map((p, i) => <li key={`p${i}`}>package: {p.registryType} <code>{p.identifier}</code> {p.version}</li>)}
        {(entry.server.remotes ?? []).map((r, i) => <li key={`r${i}`}>remote ({r.type}): <code>{r.url}</code></li>)}
      </ul>
      <p className="muted small">Versions: {versions.map((v) => `${v.version}${v.status !== 'active' ? ` (${v.status})` : ''}${v.isLatest ? ' (latest)' : ''}`).join(', ')}</p>
      {entry.installed.filter((i) => i.updateAvailable).map((i) => (
        <button key={i.id} type="button" disabled={upgrade.busy} onClick={() => void upgrade.run(i.id)}>Upgrade {i.id} to the latest version</button>
      ))}
      <ErrorBanner error={upgrade.error} />
      <form className="stack" aria-label={`Install ${entry.server.name}`} onSubmit={(event) => { event.preventDefault(); void install.run(); }}>
        <label>Server id <input value={id} placeholder="(from the name)" onChange={(e) => setId(e.target.value)} /></label>
        {inputs.map((input) => (
          <label key={input.name}>
            {input.name}{input.isRequired ? ' (required)' : ''}{input.isSecret ? ' — secret, kept in the OS keychain' : ''}
            {input.description ? <span className="muted small"> {input.description}</span> : null}
            <input
              type={input.isSecret ? 'password' : 'text'}
              aria-label={input.name}
              value={values[input.name] ?? ''}
              placeholder={input.default ?? ''}
              onChange={(e) => setValues({ ...values, [input.name]: e.target.value })}
            />
          </label>
        ))}
        <button type="submit" className="primary" disabled={install.busy || !entry.policy.allowed || entry.status === 'deleted'}>Install</button>
      </form>
      <ErrorBanner error={install.error} />
      {done ? <p role="status" className="notice">{done}</p> : null}
    </section>
  );
}

export function CatalogPage({ route }: { route: Route }) {
  const [query, setQuery] = useState(route.params.get('q') ?? '');
  const [submitted, setSubmitted] = useState(route.params.get('q') ?? '');
  const results = useQuery(() => api['registry.search']({ ...(submitted ? { query: submitted } : {}) }), [submitted]);
  const selected = route.params.get('name');
  const open = (entry: CatalogEntry) => navigate(`/catalog?q=${encodeURIComponent(submitted)}&name=${encodeURIComponent(entry.server.name)}&registry=${encodeURIComponent(entry.registry)}`);
  const updates = (results.data?.entries ?? []).filter((e) => e.installed.some((i) => i.updateAvailable));
  return (
    <>
      <PageHeader title="Catalog" description="MCP servers from the official registry and the registries policy configures. Entries show what policy says before you install." />
      <form className="filters" role="search" onSubmit={(event) => { event.preventDefault(); setSubmitted(query.trim()); }}>
        <input type="search" aria-label="Search the catalog" placeholder="Search by name" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {results.notAvailable ? <NotAvailable what="The catalog" /> : null}
      <ErrorBanner error={results.notAvailable ? null : results.error} onRetry={results.reload} />
      {(results.data?.sources ?? []).map((source) => <SourceLine key={source.url} source={source} />)}
      {(results.data?.skipped.length ?? 0) > 0 ? (
        <details className="muted small"><summary>{results.data!.skipped.length} malformed entr{results.data!.skipped.length === 1 ? 'y' : 'ies'} skipped</summary>
          <ul>{results.data!.skipped.map((s, i) => <li key={i}>{s.name ?? '(no name)'}: {s.reason}</li>)}</ul>
        </details>
      ) : null}
      {updates.length > 0 ? (
        <section aria-labelledby="updates-title">
          <h2 id="updates-title">Updates available</h2>
          <ul>{updates.map((e) => <li key={`${e.registry} ${e.server.name}`}><button type="button" className="link" onClick={() => open(e)}>{e.server.name}</button> → {e.server.version}</li>)}</ul>
        </section>
      ) : null}
      {selected ? <Details key={`${selected} ${route.params.get('version') ?? ''} ${submitted}`} name={selected} version={route.params.get('version') ?? undefined} registry={route.params.get('registry') ?? undefined} onInstalled={results.reload} /> : null}
      {results.loading && !results.data ? <Spinner label="Searching the registries…" /> : null}
      {results.data && results.data.entries.length === 0 ? <EmptyState title={submitted ? `No server matches “${submitted}”` : 'No servers listed'} /> : null}
      <ul className="stack catalog-list" aria-label="Catalog entries">
        {(results.data?.entries ?? []).map((entry) => (
          <li key={`${entry.registry} ${entry.server.name}`} className="card" aria-label={entry.server.name}>
            <button type="button" className="link" onClick={() => open(entry)}><strong>{entry.server.title ?? entry.server.name}</strong></button>
            <span className="muted small"> {entry.server.name} {entry.server.version} · {entry.registryLabel}</span>
            <p>{entry.server.description}</p>
            <p><PolicyBadge entry={entry} /> <StatusBadges entry={entry} /></p>
          </li>
        ))}
      </ul>
    </>
  );
}
