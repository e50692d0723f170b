// Opens the consent page in the user's browser; without a desktop (no DISPLAY on Linux, CI) the
// URL is printed instead so the user can open it elsewhere.
import { spawn } from 'node:child_process';

export function createOpenUrl(print: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): (url: URL) => Promise<void> {
  return async (url) => {
    const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
    if (!headless) {
      const [command, args] = process.platform === 'darwin' ? ['open', [url.href]]
        : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url.href]]
          : ['xdg-open', [url.href]];
      const opened = await new Promise<boolean>((resolve) => {
        const child = spawn(command, args, { stdio: 'ignore', detached: true });
        child.once('error', () => resolve(false));
        child.once('spawn', () => { child.unref(); resolve(true); });
      });
      if (opened) return;
    }
    print(`Open this URL in a browser to authorize MCP Switchboard:\n  ${url.href}`);
  };
}
