// Draws the app and tray icons (PNG) without image libraries: a rounded blue square with two
// opposite arrows (a switchboard). Run: node resources/icons/make-icons.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      // 4x4 supersampling for smooth edges
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) {
        const [pr, pg, pb, pa] = pixel((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size);
        r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = a ? Math.round(r / a) : 0;
      raw[o + 1] = a ? Math.round(g / a) : 0;
      raw[o + 2] = a ? Math.round(b / a) : 0;
      raw[o + 3] = Math.round((a / 16) * 255);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function inRoundedSquare(x: number, y: number, inset: number, radius: number): boolean {
  const lo = inset + radius, hi = 1 - inset - radius;
  const dx = Math.max(lo - x, 0, x - hi), dy = Math.max(lo - y, 0, y - hi);
  return x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= radius * radius;
}

/** Two arrows: one pointing right on the upper line, one pointing left on the lower line. */
function inArrows(x: number, y: number): boolean {
  const bar = (cy: number, dir: 1 | -1) => {
    const half = 0.045, head = 0.11;
    const tip = dir === 1 ? 0.78 : 0.22, tail = dir === 1 ? 0.22 : 0.78;
    const shaftEnd = tip - dir * head;
    const inShaft = Math.abs(y - cy) <= half && (dir === 1 ? x >= tail && x <= shaftEnd : x <= tail && x >= shaftEnd);
    const along = dir === 1 ? tip - x : x - tip;
    const inHead = along >= 0 && along <= head && Math.abs(y - cy) <= along * 1.0;
    return inShaft || inHead;
  };
  return bar(0.37, 1) || bar(0.63, -1);
}

const blue: [number, number, number] = [47, 111, 235];
const here = path.dirname(new URL(import.meta.url).pathname);
const appIcon = (x: number, y: number): [number, number, number, number] =>
  inRoundedSquare(x, y, 0.06, 0.2) ? (inArrows(x, y) ? [255, 255, 255, 1] : [...blue, 1]) : [0, 0, 0, 0];
const trayIcon = (x: number, y: number): [number, number, number, number] => (inArrows(x, y) ? [40, 40, 40, 1] : [0, 0, 0, 0]);

writeFileSync(path.join(here, 'icon.png'), png(512, appIcon));
writeFileSync(path.join(here, 'tray.png'), png(32, appIcon));
writeFileSync(path.join(here, 'tray@2x.png'), png(64, appIcon));
writeFileSync(path.join(here, 'trayTemplate.png'), png(22, trayIcon));
writeFileSync(path.join(here, 'trayTemplate@2x.png'), png(44, trayIcon));
