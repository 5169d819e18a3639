#!/usr/bin/env node
// Draws images/icon.png (the extension's 256x256 icon) with nothing but Node: a dark tile with
// four firewall rules (coloured verdicts: accept, accept, log, drop) under a magnifying lens.
// Run `node images/icon.mjs` after changing it; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 256;
const SS = 4; // supersampling per axis, for smooth edges

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG = hex('#1b2838');
const BAR = hex('#8fa3b8');
const LENS = hex('#e8f1fa');
const GLASS = hex('#2d4a66');
const VERDICTS = [hex('#3fb950'), hex('#3fb950'), hex('#d29922'), hex('#f85149')];

/** Signed distance to a rounded rectangle centred at (cx, cy) with half sizes (hw, hh), radius r. */
function roundRect(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance to a segment from (ax, ay) to (bx, by) of half thickness t. */
function segment(x, y, ax, ay, bx, by, t) {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * h, py - dy * h) - t;
}

/** Colour of one sample, or null outside the tile. Later layers paint over earlier ones. */
function sample(x, y) {
  if (roundRect(x, y, 128, 128, 124, 124, 40) > 0) return null;
  let c = BG;
  const lens = { cx: 136, cy: 152, r: 52, ring: 12 };
  const dLens = Math.hypot(x - lens.cx, y - lens.cy);
  const inGlass = dLens < lens.r - lens.ring / 2;
  for (let i = 0; i < 4; i++) {
    const cy = 58 + i * 44;
    const len = [150, 118, 136, 96][i];
    if (roundRect(x, y, 40 + len / 2, cy, len / 2, 9, 9) <= 0) c = inGlass ? LENS : BAR;
    if (Math.hypot(x - 212, y - cy) <= 13) c = VERDICTS[i];
  }
  if (inGlass && c === BG) c = GLASS;
  if (Math.abs(dLens - lens.r) <= lens.ring / 2) c = LENS;
  if (segment(x, y, 174, 190, 204, 220, 11) <= 0) c = LENS;
  return c;
}

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a++;
      }
    }
    const o = (py * SIZE + px) * 4;
    if (a) {
      rgba[o] = Math.round(r / a);
      rgba[o + 1] = Math.round(g / a);
      rgba[o + 2] = Math.round(b / a);
    }
    rgba[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

// PNG: signature, IHDR, one IDAT (filter byte 0 per row), IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`images/icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
