// Who and where a record comes from: the OS user and a device id. The device id is a random UUID
// created once and kept in the data folder: stable for this installation, not derived from any
// hardware serial (which would be a tracking identifier beyond what the gateway needs).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

export const DEVICE_ID_FILE = 'device-id';

export interface DeviceIdentity {
  readonly deviceId: string;
  readonly osUser: string;
  readonly hostName: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function loadDeviceId(dataDir: string): string {
  const path = join(dataDir, DEVICE_ID_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (UUID.test(existing)) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  try {
    writeFileSync(path, `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw error;
  }
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export function loadDeviceIdentity(dataDir: string): DeviceIdentity {
  return { deviceId: loadDeviceId(dataDir), osUser: osUserName(), hostName: hostname() };
}
