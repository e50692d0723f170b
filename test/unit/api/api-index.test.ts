import { describe, expect, it } from 'vitest';
import { createApiDispatcher } from '../../../main/api/index.ts';

describe('createApiDispatcher', () => {
  it('serves app.info with the methods that have handlers', async () => {
    const dispatcher = createApiDispatcher({ version: '1.2.3', dataDir: '/tmp/x', mode: 'headless' });
    const result = await dispatcher.dispatch('app.info', {}, { kind: 'http' });
    expect(result).toEqual({ ok: true, result: { version: '1.2.3', dataDir: '/tmp/x', mode: 'headless', methods: ['app.info', 'app.setStartAtLogin'] } });
  });

  it('ignores handlers for methods outside the contract', async () => {
    const dispatcher = createApiDispatcher({ version: '1', dataDir: '/d', mode: 'headless', domainHandlers: [{ 'nope.method': async () => ({}) }] });
    expect(dispatcher.has('nope.method')).toBe(false);
    expect(await dispatcher.dispatch('nope.method', {}, { kind: 'http' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers unavailable for start-at-login in headless mode and toggles it in the desktop app', async () => {
    const headless = createApiDispatcher({ version: '1', dataDir: '/d', mode: 'headless' });
    expect(await headless.dispatch('app.setStartAtLogin', { enabled: true }, { kind: 'http' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    let enabled = false;
    const desktop = createApiDispatcher({ version: '1', dataDir: '/d', mode: 'desktop', loginItem: { get: () => enabled, set: (v) => { enabled = v; } } });
    expect(await desktop.dispatch('app.setStartAtLogin', { enabled: true }, { kind: 'ipc' })).toEqual({ ok: true, result: { enabled: true } });
  });
});
