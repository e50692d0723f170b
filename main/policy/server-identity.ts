// What policy can know about a configured server: its id, registry name, URL, command line and
// the package its launch command really runs. For allowlists only an inferred package and a
// confirmed registry name count (a declared `package` or `registryName` is a claim anyone can
// write next to `node evil.js`); denylists match claims and confirmed values alike.
import type { PackageRef } from '../../shared/config.ts';
import { confirmedRegistryName, type ServerWithOrigin } from './registry-origin.ts';

export interface ServerIdentity {
  readonly id: string;
  /** The registry name confirmed by where the server was installed from (registry-origin.ts). */
  readonly registryName?: string;
  /** The registry name the config claims. */
  readonly claimedRegistryName?: string;
  readonly url?: string;
  readonly command?: string;
  readonly args: readonly string[];
  /** The package the launch command runs (npx, uvx, pipx run, docker run), when recognisable. */
  readonly inferredPackage?: PackageRef;
  /** The package the config claims. */
  readonly declaredPackage?: PackageRef;
}

export function identifyServer(server: ServerWithOrigin): ServerIdentity {
  if (server.transport === 'stdio') {
    const inferred = inferPackage(server.command, server.args);
    return {
      id: server.id,
      registryName: confirmedRegistryName(server, inferred),
      claimedRegistryName: server.registryName,
      command: server.command,
      args: server.args,
      inferredPackage: inferred,
      declaredPackage: server.package,
    };
  }
  return {
    id: server.id,
    registryName: confirmedRegistryName(server, undefined),
    claimedRegistryName: server.registryName,
    url: server.url,
    args: [],
    declaredPackage: server.package,
  };
}

function baseName(command: string): string {
  const name = command.split(/[\\/]/).pop() ?? command;
  return name.replace(/\.(cmd|exe|bat)$/i, '');
}

/** Recognises `npx [-y] pkg[@v]`, `npm exec pkg`, `uvx pkg[==v]`, `pipx run pkg`, `docker run … image[:tag]`. */
export function inferPackage(command: string, args: readonly string[]): PackageRef | undefined {
  const tool = baseName(command);
  const positional = (from: number, flagsWithValue: readonly string[] = []): string | undefined => {
    for (let i = from; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--') return args[i + 1];
      if (arg.startsWith('-')) {
        if (!arg.includes('=') && flagsWithValue.includes(arg)) i++;
        continue;
      }
      return arg;
    }
    return undefined;
  };
  if (tool === 'npx' || (tool === 'npm' && args[0] === 'exec')) {
    const spec = positional(tool === 'npm' ? 1 : 0, ['-p', '--package', '-c', '--call']);
    return spec ? npmSpec(spec) : undefined;
  }
  if (tool === 'uvx' || (tool === 'pipx' && args[0] === 'run')) {
    const spec = positional(tool === 'pipx' ? 1 : 0, ['--from', '--python', '--with', '--spec']);
    if (!spec) return undefined;
    const match = /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?(?:==([^\s;]+))?$/.exec(spec);
    return match ? { registryType: 'pypi', identifier: match[1]!.toLowerCase(), ...(match[2] ? { version: match[2] } : {}) } : undefined;
  }
  if ((tool === 'docker' || tool === 'podman') && args[0] === 'run') {
    const image = positional(1, ['-e', '--env', '-v', '--volume', '--name', '-p', '--publish', '--network', '-w', '--workdir', '--env-file', '-u', '--user', '--entrypoint', '--mount', '--platform']);
    if (!image) return undefined;
    const at = image.lastIndexOf(':');
    const slash = image.lastIndexOf('/');
    const hasTag = at > slash && !image.includes('@');
    return { registryType: 'oci', identifier: hasTag ? image.slice(0, at) : image.split('@')[0]!, ...(hasTag ? { version: image.slice(at + 1) } : {}) };
  }
  return undefined;
}

function npmSpec(spec: string): PackageRef | undefined {
  const at = spec.startsWith('@') ? spec.indexOf('@', 1) : spec.indexOf('@');
  const identifier = at > 0 ? spec.slice(0, at) : spec;
  const version = at > 0 ? spec.slice(at + 1) : undefined;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(identifier)) return undefined;
  return { registryType: 'npm', identifier, ...(version && version !== 'latest' ? { version } : {}) };
}
