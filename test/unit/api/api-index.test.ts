import { describe, expect, it } from 'vitest';
import { appContract } from '../../../shared/api/contract.ts';
import { ApiDispatcher } from '../../../main/api/dispatcher.ts';
import { createAppHandlers, type AppServices } from '../../../main/api/index.ts';

const dispatcherFor = (services: AppServices) => new ApiDispatcher(appContract, createAppHandlers(services, () => Object.keys(appContract).sort()));

describe('createAppHandlers', () => {
  it('serves app.info with the methods that have handlers', async () => {
    const result = await dispatcherFor({ version: '1.2.3', dataDir: '/tmp/x', mode: 'headless' }).dispatch('app.info', {}, { kind: 'http' });
    expect(result).toEqual({ ok: true, result: { version: '1.2.3', dataDir: '/tmp/x', mode: 'headless', methods: ['app.info', 'app.setStartAtLogin'] } });
  });

  it('answers not_found for methods outside the contract', async () => {
    const dispatcher = dispatcherFor({ version: '1', dataDir: '/d', mode: 'headless' });
    expect(dispatcher.has('nope.method')).toBe(false);
    expect(await dispatcher.dispatch('nope.method', {}, { kind: 'http' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers unavailable for start-at-login in headless mode and toggles it in the desktop app', async () => {
    const headless = dispatcherFor({ version: '1', dataDir: '/d', mode: 'headless' });
    expect(await headless.dispatch('app.setStartAtLogin', { enabled: true }, { kind: 'http' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    let enabled = false;
    const desktop = dispatcherFor({ version: '1', dataDir: '/d', mode: 'desktop', loginItem: { get: () => enabled, set: (v) => { enabled = v; } } });
    expect(await desktop.dispatch('app.setStartAtLogin', { enabled: true }, { kind: 'ipc' })).toEqual({ ok: true, result: { enabled: true } });
  });
});
