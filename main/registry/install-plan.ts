// How a registry entry becomes a server configuration. A package becomes a launch command
// (npm → `npx -y <identifier>@<version>`, pypi → `uvx <identifier>==<version>`, oci → `docker run
// -i --rm <image>:<version>`) with the entry's runtime and package arguments; a remote becomes
// its URL and headers. Inputs (environment variables, headers, argument values, {variables}) take
// the value the entry fixes, else the one the user gives, else the default; a required input
// without any is reported as missing so the caller can ask for it. Secret inputs go to the
// keychain: the configuration only names them ({ secret: name }).
//
// Arguments covered: positional (value, or the user's value for its valueHint, or default) and
// named (`--flag value` as two arguments; a named argument without a value is the bare flag);
// {variables} in values; isRepeated takes one value (a repeated value cannot be given yet).
// A secret command-line argument is refused: arguments are visible to every local user (ps).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../base/canonical-json.ts';
import type { InstalledFromRecord, PackageRef, ServerConfig, ValueOrSecret } from '../../shared/config.ts';
import type { RegistryArgument, RegistryInput, RegistryPackage, RegistryRemote, ServerJson } from '../../shared/registry.ts';
import { confirmedRegistryName } from '../policy/registry-origin.ts';
import { inferPackage } from '../policy/server-identity.ts';

/** One value an install needs from the user (CLI prompt, UI field, API input). */
export interface NeededInput {
  /** What the user gives it as (`--env NAME=value`, the key of `values`). */
  readonly name: string;
  readonly description?: string;
  readonly isSecret: boolean;
  readonly isRequired: boolean;
  readonly default?: string;
  readonly choices?: readonly string[];
  /** Where it goes: "environment variable", "header", "argument", "URL variable". */
  readonly kind: 'env' | 'header' | 'argument' | 'variable';
}

export interface InstallChoice {
  /** Index into packages[]; default: the first package this machine can run, else the first remote. */
  readonly packageIndex?: number;
  readonly remoteIndex?: number;
}

export interface InstallPlan {
  readonly server: ServerConfig;
  /** Keychain entries to write before the configuration: name → value. */
  readonly secrets: ReadonlyMap<string, string>;
  /** The runtime the launch command needs (npx, uvx, docker); none for a remote. */
  readonly runtime?: string;
}

export class InstallPlanError extends Error {
  readonly missing: readonly NeededInput[];
  constructor(message: string, missing: readonly NeededInput[] = []) {
    super(message);
    this.missing = missing;
    this.name = 'InstallPlanError';
  }
}

const RUNTIMES: Record<string, { command: string; howToGet: string }> = {
  npm: { command: 'npx', howToGet: 'install Node.js (it brings npm and npx): https://nodejs.org/en/download' },
  pypi: { command: 'uvx', howToGet: 'install uv (it brings uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`, or `pipx install uv`; see https://docs.astral.sh/uv/getting-started/installation/' },
  oci: { command: 'docker', howToGet: 'install Docker Desktop or Docker Engine (https://docs.docker.com/get-docker/), and make sure `docker` is on PATH' },
};

/** The command a package type runs with, and how to get it when it is missing. */
export function runtimeFor(registryType: string): { command: string; howToGet: string } | undefined {
  return RUNTIMES[registryType];
}

/** SHA-256 (hex) of the canonical JSON of a server.json: what installedFrom.digest records. */
export function serverJsonDigest(server: ServerJson): string {
  return createHash('sha256').update(canonicalJson(server)).digest('hex');
}

/** A server id derived from the registry name (`io.github.user/weather` → `weather`). */
export function defaultServerId(name: string): string {
  const tail = name.split('/').pop() ?? name;
  const id = tail.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return id || 'server';
}

/** Every input the entry's package or remote asks for (for prompts and the UI). */
export function neededInputs(server: ServerJson, choice: InstallChoice = {}): NeededInput[] {
  const picked = pick(server, choice);
  const needed: NeededInput[] = [];
  const add = (name: string, input: RegistryInput, kind: NeededInput['kind']) => {
    if (input.value !== undefined || needed.some((n) => n.name === name)) return;
    needed.push({
      name, kind, isSecret: input.isSecret === true, isRequired: input.isRequired === true,
      ...(input.description ? { description: input.description } : {}),
      ...(input.default !== undefined ? { default: input.default } : {}),
      ...(input.choices ? { choices: input.choices } : {}),
    });
  };
  const addVariables = (input: { variables?: Record<string, RegistryInput> | undefined; value?: string | undefined }) => {
    for (const [name, variable] of Object.entries(input.variables ?? {})) {
      if (input.value === undefined || input.value.includes(`{${name}}`)) add(name, variable, 'variable');
    }
  };
  if (picked.kind === 'package') {
    for (const argument of [...(picked.pkg.runtimeArguments ?? []), ...(picked.pkg.packageArguments ?? [])]) {
      add(argumentKey(argument), argument, 'argument');
      addVariables(argument);
    }
    for (const variable of picked.pkg.environmentVariables ?? []) {
      add(variable.name, variable, 'env');
      addVariables(variable);
    }
  } else {
    for (const [name, variable] of Object.entries(picked.remote.variables ?? {})) add(name, variable, 'variable');
    for (const header of picked.remote.headers ?? []) {
      add(header.name, header, 'header');
      addVariables(header);
    }
  }
  return needed;
}

/** The configuration (and keychain entries) that installing `entry` with these values produces. */
export function planInstall(options: {
  readonly registry: string;
  readonly entry: ServerJson;
  readonly id: string;
  readonly values: Readonly<Record<string, string>>;
  readonly choice?: InstallChoice;
  readonly now?: Date;
}): InstallPlan {
  const { entry, id, values } = options;
  const picked = pick(entry, options.choice ?? {});
  const secrets = new Map<string, string>();
  const missing: NeededInput[] = [];
  const secretName = (kind: string, name: string) => `${id}.${kind}.${name.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128);

  // One input's value: fixed value with {variables}, else the user's, else the default.
  const resolve = (name: string, input: RegistryInput & { variables?: Record<string, RegistryInput> | undefined }, kind: NeededInput['kind']): { value: string; secret: boolean } | undefined => {
    let secret = input.isSecret === true;
    if (input.value !== undefined) {
      let missingVariable = false;
      const value = input.value.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, variableName: string) => {
        const variable = input.variables?.[variableName];
        if (!variable) return whole;
        const given = values[variableName] ?? variable.value ?? variable.default;
        if (given === undefined) {
          missingVariable = true;
          if (!missing.some((m) => m.name === variableName)) missing.push(needed(variableName, variable, 'variable'));
          return whole;
        }
        if (variable.isSecret) secret = true;
        return given;
      });
      return missingVariable ? undefined : { value, secret };
    }
    const given = values[name] ?? input.default;
    if (given === undefined) {
      if (input.isRequired) missing.push(needed(name, input, kind));
      return undefined;
    }
    if (input.choices && input.choices.length > 0 && !input.choices.includes(given)) {
      // A secret's value is never echoed into an error (errors reach logs and API answers).
      throw new InstallPlanError(`${name} must be one of ${input.choices.join(', ')}${input.isSecret ? '' : `; got "${given}"`}`);
    }
    return { value: given, secret };
  };

  const base = {
    id,
    enabled: true,
    registryName: entry.name,
  };
  let server: ServerConfig;
  let runtime: string | undefined;
  let installedFrom: InstalledFromRecord;
  const digest = serverJsonDigest(entry);
  const installedAt = (options.now ?? new Date()).toISOString();

  if (picked.kind === 'package') {
    const pkg = picked.pkg;
    const known = runtimeFor(pkg.registryType);
    if (!known) throw new InstallPlanError(`package type "${pkg.registryType}" of ${entry.name} cannot be installed by Switchboard yet (npm, pypi and oci can)${pickHint(entry)}`);
    if (pkg.transport.type !== 'stdio') throw new InstallPlanError(`package ${pkg.identifier} of ${entry.name} serves ${pkg.transport.type} on its own; only stdio packages can be installed (use a remote entry, or run it yourself and \`switchboard server add --url\`)`);
    runtime = known.command;
    const argumentsOf = (list: readonly RegistryArgument[] | undefined): string[] => (list ?? []).flatMap((argument) => {
      const resolved = resolve(argumentKey(argument), argument, 'argument');
      if (resolved?.secret) throw new InstallPlanError(`argument ${argumentKey(argument)} of ${entry.name} is a secret, and command-line arguments are visible to every local user (ps); Switchboard passes secrets only as environment variables or headers`);
      if (argument.type === 'positional') return resolved ? [resolved.value] : [];
      if (!resolved) return [];
      return resolved.value === '' ? [argument.name] : [argument.name, resolved.value];
    });
    const runtimeArgs = argumentsOf(pkg.runtimeArguments);
    const packageArgs = argumentsOf(pkg.packageArguments);
    const env: Record<string, ValueOrSecret> = {};
    for (const variable of pkg.environmentVariables ?? []) {
      const resolved = resolve(variable.name, variable, 'env');
      if (!resolved) continue;
      if (resolved.secret) {
        const name = secretName('env', variable.name);
        secrets.set(name, resolved.value);
        env[variable.name] = { secret: name };
      } else {
        env[variable.name] = resolved.value;
      }
    }
    if (missing.length > 0) throw missingError(entry, missing);
    let command: string;
    let args: string[];
    if (pkg.registryType === 'npm') {
      command = 'npx';
      args = ['-y', ...runtimeArgs, pkg.version ? `${pkg.identifier}@${pkg.version}` : pkg.identifier, ...packageArgs];
    } else if (pkg.registryType === 'pypi') {
      command = 'uvx';
      args = [...runtimeArgs, pkg.version ? `${pkg.identifier}==${pkg.version}` : pkg.identifier, ...packageArgs];
    } else {
      command = 'docker';
      // The container sees only the variables passed with -e (their values come from docker's own environment).
      const passEnv = Object.keys(env).flatMap((name) => ['-e', name]);
      args = ['run', '-i', '--rm', ...passEnv, ...runtimeArgs, ociImage(pkg), ...packageArgs];
    }
    server = { ...base, transport: 'stdio', command, args, env };
    const inferred = inferPackage(command, args);
    if (!inferred) throw new InstallPlanError(`the launch command of ${entry.name} (${[command, ...args].join(' ')}) does not name its package where policy can see it`);
    installedFrom = { registry: options.registry, name: entry.name, version: entry.version, package: inferred satisfies PackageRef, packageIndex: picked.index, digest, installedAt };
  } else {
    const remote = picked.remote;
    const url = resolve('url', { value: remote.url, ...(remote.variables ? { variables: remote.variables } : {}) }, 'variable');
    const headers: Record<string, ValueOrSecret> = {};
    for (const header of remote.headers ?? []) {
      const resolved = resolve(header.name, header, 'header');
      if (!resolved) continue;
      if (resolved.secret) {
        const name = secretName('header', header.name);
        secrets.set(name, resolved.value);
        headers[header.name] = { secret: name };
      } else {
        headers[header.name] = resolved.value;
      }
    }
    if (missing.length > 0) throw missingError(entry, missing);
    if (!url || !/^https?:\/\//.test(url.value)) throw new InstallPlanError(`remote ${picked.index} of ${entry.name} has no http(s) URL after its variables are filled in (${url?.value ?? remote.url})`);
    server = { ...base, transport: remote.type, url: url.value, headers };
    installedFrom = { registry: options.registry, name: entry.name, version: entry.version, url: url.value, remoteIndex: picked.index, digest, installedAt };
  }
  if (missing.length > 0) throw missingError(entry, missing);
  const installed = { ...server, installedFrom } as ServerConfig;
  // What policy will see must confirm the origin, or a registryName allowlist would refuse it.
  const confirmed = confirmedRegistryName(installed, installed.transport === 'stdio' ? inferPackage(installed.command, installed.args) : undefined);
  if (confirmed !== entry.name) throw new InstallPlanError(`the configuration made from ${entry.name} would not confirm its own origin (its command or URL does not match the entry); not installed`);
  return { server: installed, secrets, ...(runtime ? { runtime } : {}) };
}

/** `<image>:<version>`, unless the identifier already carries a tag or digest (the newer server.json form). */
function ociImage(pkg: RegistryPackage): string {
  const slash = pkg.identifier.lastIndexOf('/');
  const tagged = pkg.identifier.includes('@') || pkg.identifier.lastIndexOf(':') > slash;
  return tagged || !pkg.version ? pkg.identifier : `${pkg.identifier}:${pkg.version}`;
}

type Picked = { kind: 'package'; pkg: RegistryPackage; index: number } | { kind: 'remote'; remote: RegistryRemote; index: number };

function pick(server: ServerJson, choice: InstallChoice): Picked {
  const packages = server.packages ?? [];
  const remotes = server.remotes ?? [];
  if (choice.packageIndex !== undefined) {
    const pkg = packages[choice.packageIndex];
    if (!pkg) throw new InstallPlanError(`${server.name} has no package ${choice.packageIndex} (it has ${packages.length})`);
    return { kind: 'package', pkg, index: choice.packageIndex };
  }
  if (choice.remoteIndex !== undefined) {
    const remote = remotes[choice.remoteIndex];
    if (!remote) throw new InstallPlanError(`${server.name} has no remote ${choice.remoteIndex} (it has ${remotes.length})`);
    return { kind: 'remote', remote, index: choice.remoteIndex };
  }
  const runnable = packages.findIndex((pkg) => runtimeFor(pkg.registryType) !== undefined && pkg.transport.type === 'stdio');
  if (runnable !== -1) return { kind: 'package', pkg: packages[runnable]!, index: runnable };
  if (remotes.length > 0) return { kind: 'remote', remote: remotes[0]!, index: 0 };
  if (packages.length > 0) return { kind: 'package', pkg: packages[0]!, index: 0 };
  throw new InstallPlanError(`${server.name} lists neither a package nor a remote: there is nothing to install`);
}

function pickHint(server: ServerJson): string {
  const choices = [
    ...(server.packages ?? []).map((pkg, index) => `--package ${index} (${pkg.registryType} ${pkg.identifier})`),
    ...(server.remotes ?? []).map((remote, index) => `--remote ${index} (${remote.url})`),
  ];
  return choices.length > 1 ? `; choose another with ${choices.join(', ')}` : '';
}

function argumentKey(argument: RegistryArgument): string {
  return argument.type === 'named' ? argument.name.replace(/^-+/, '') : (argument.valueHint ?? argument.value ?? 'argument');
}

function needed(name: string, input: RegistryInput, kind: NeededInput['kind']): NeededInput {
  return {
    name, kind, isSecret: input.isSecret === true, isRequired: true,
    ...(input.description ? { description: input.description } : {}),
    ...(input.choices ? { choices: input.choices } : {}),
  };
}

function missingError(entry: ServerJson, missing: readonly NeededInput[]): InstallPlanError {
  return new InstallPlanError(`${entry.name} needs ${missing.map((m) => `${m.name}${m.isSecret ? ' (secret)' : ''}`).join(', ')}: give ${missing.length === 1 ? 'it' : 'them'} (CLI: --env NAME=value, or answer the prompt)`, missing);
}

