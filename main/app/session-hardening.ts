// Session-wide defaults: the app never needs a camera, notifications prompt, geolocation, USB…
// so every permission request and check is denied.
import type { PermissionSessionPort } from './ports.ts';

export function denyAllPermissions(session: PermissionSessionPort, log?: (message: string) => void): void {
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    log?.(`denied permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}
