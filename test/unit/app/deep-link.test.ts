import { describe, expect, it } from 'vitest';
import { catalogRoute, findDeepLink, parseDeepLink } from '../../../main/app/deep-link.ts';

describe('parseDeepLink', () => {
  it('reads a stdio install link with repeated args', () => {
    expect(parseDeepLink('switchboard://install?id=memory&command=npx&arg=-y&arg=%40modelcontextprotocol%2Fserver-memory')).toEqual({
      ok: true,
      request: { id: 'memory', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], source: expect.any(String) },
    });
  });

  it('reads a remote install link', () => {
    expect(parseDeepLink('switchboard://install?id=docs&url=https%3A%2F%2Fmcp.example.com%2Fmcp&transport=sse')).toMatchObject({
      ok: true,
      request: { id: 'docs', transport: 'sse', url: 'https://mcp.example.com/mcp' },
    });
  });

  it('reads a registry entry link, which opens the Catalog on that entry', () => {
    const result = parseDeepLink('switchboard://install?name=io.github.user%2Fweather&version=1.2.0&registry=https%3A%2F%2Fmcp.corp.example');
    expect(result).toEqual({ ok: true, catalog: { name: 'io.github.user/weather', version: '1.2.0', registry: 'https://mcp.corp.example' } });
    expect(catalogRoute((result as { catalog: Parameters<typeof catalogRoute>[0] }).catalog)).toBe('/catalog?name=io.github.user%2Fweather&version=1.2.0&registry=https%3A%2F%2Fmcp.corp.example');
    expect(parseDeepLink('switchboard://install?name=io.github.user/weather')).toEqual({ ok: true, catalog: { name: 'io.github.user/weather' } });
  });

  it.each([
    ['switchboard://install?name=weather', /invalid registry name/],
    ['switchboard://install?name=io.x/y&command=z', /not both/],
    ['switchboard://install?name=io.x/y&registry=file:///etc', /http\(s\)/],
    ['https://install?id=x&command=y', /not a switchboard/],
    ['switchboard://uninstall?id=x', /unknown action/],
    ['switchboard://install?id=../etc&command=x', /invalid server id/],
    ['switchboard://install?id=x', /exactly one/],
    ['switchboard://install?id=x&command=a&url=https://a', /exactly one/],
    ['switchboard://install?id=x&url=file:///etc/passwd', /http\(s\)/],
    ['switchboard://install?id=x&url=https://a&transport=ws', /unknown transport/],
    [`switchboard://install?id=x&command=${'a'.repeat(5000)}`, /longer than/],
  ])('refuses %s', (link, error) => {
    const result = parseDeepLink(link);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(error);
  });

  it('finds the link among a second instance\'s arguments', () => {
    expect(findDeepLink(['/opt/Switchboard/switchboard', '--flag', 'switchboard://install?id=a&command=b'])).toBe('switchboard://install?id=a&command=b');
    expect(findDeepLink(['/opt/Switchboard/switchboard'])).toBeUndefined();
  });
});
