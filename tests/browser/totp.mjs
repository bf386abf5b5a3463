// totp.mjs - RFC 6238 TOTP codes for tests (an authenticator app's job).
// As a script: `node totp.mjs SECRET_OR_OTPAUTH_URI [UNIX_TIME]` prints the 6-digit code.
import { createHmac } from 'node:crypto';

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.toUpperCase().replace(/[=\s]/g, '')) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`bad base32 character ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function secretOf(uriOrSecret) {
  const m = /[?&]secret=([A-Z2-7]+)/i.exec(uriOrSecret);
  return m ? m[1] : uriOrSecret.trim();
}

export function totp(uriOrSecret, unixTime = Date.now() / 1000, step = 30) {
  const key = base32Decode(secretOf(uriOrSecret));
  const counter = Math.floor(unixTime / step);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1e6).padStart(6, '0');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = process.argv[3] ? Number(process.argv[3]) : Date.now() / 1000;
  console.log(totp(process.argv[2], t));
}
