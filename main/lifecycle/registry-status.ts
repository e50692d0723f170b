// The registry's say on a configured server's version, as the registry client reports it
// (RegistryStatusSource.statusOf, built by the registry folder). Lifecycle takes it as a function so
// that it neither fetches nor caches anything itself: undefined means the registry knows nothing
// (the server was not installed from one, or its status was never read).
export interface RegistryStatus {
  readonly status: 'active' | 'deprecated' | 'deleted';
  readonly statusMessage?: string;
  readonly latestVersion?: string;
  readonly checkedAt: string;
}

export type RegistryStatusOf = (serverId: string) => RegistryStatus | undefined;
