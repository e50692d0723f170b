// ConfigService: a change is one event. The daemon's own write is announced once, when it is
// written, and not again when the folder watcher sees the file change; an edit by hand is
// announced once; an invalid edit keeps the last good configuration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../shared/config.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { ConfigService } from '../../../main/config/config-service.ts';
import { ConfigStore } from '../../../main/config/config-store.ts';
import { until } from '../../support/until.ts';

const dirs: string[] = [];
const services: ConfigService[] = [];
afterEach(() => {
  for (const service of services.splice(0)) service.unwatch();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serviceIn(): { service: ConfigService; dir: string; events: Config[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-service-'));
  dirs.push(dir);
  const service = new ConfigService(new ConfigStore(dir), silentLogger);
  services.push(service);
  const events: Config[] = [];
  service.load();
  service.onChange((next) => events.push(next));
  service.watch();
  return { service, dir, events };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('ConfigService', () => {
  it('announces its own write once, at once, and not again when the watcher sees it', async () => {
    const { service, events } = serviceIn();
    await service.update((config) => { config.settings.requestTimeoutMs = 1234; });
    expect(events.map((c) => c.settings.requestTimeoutMs)).toEqual([1234]);
    expect(service.config.settings.requestTimeoutMs).toBe(1234);
    await settle();
    expect(events).toHaveLength(1);
  });

  it('announces an edit made by hand once, and keeps the last good configuration when the file turns invalid', async () => {
    const { service, dir, events } = serviceIn();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, settings: { requestTimeoutMs: 777 } }));
    await until(() => events.length, { done: (n) => n >= 1, what: 'the edit to be announced' });
    await settle();
    expect(events.map((c) => c.settings.requestTimeoutMs)).toEqual([777]);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    await settle();
    expect(events).toHaveLength(1);
    expect(service.config.settings.requestTimeoutMs).toBe(777);
  });

  it('an update applies to the file as it is on disk, so an edit by hand not yet announced is kept', async () => {
    const { service, dir } = serviceIn();
    service.unwatch();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, settings: { requestTimeoutMs: 555 } }));
    const saved = await service.update((config) => { config.settings.httpPort = 4321; });
    expect(saved.settings).toMatchObject({ requestTimeoutMs: 555, httpPort: 4321 });
  });
});
