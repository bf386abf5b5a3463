// lib.mjs - what every browser test does the same way: start the real server on a free port,
// open Debian's chromium headless with an empty profile, run axe-core on a page, and stop the
// server, checking that it exits cleanly and without a sanitizer report.
import { chromium } from 'playwright-core';
import axe from 'axe-core';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

// Run `BIN ARGS --listen 127.0.0.1:0 --port-file DIR/port` (ARGS ends with `serve`, after any
// global option such as --config) and wait for its port. Returns { base, stderr(), stop() };
// the server is killed if the test exits without stopping it.
export async function startServer(bin, args, env, dir) {
  const port = join(dir, 'port');
  const child = spawn(bin, [...args, '--listen', '127.0.0.1:0', '--port-file', port], {
    env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const exit = new Promise((r) => child.on('exit', (code) => r(code)));
  process.on('exit', () => child.kill('SIGKILL')); // a no-op once it has stopped
  for (let i = 0; i < 400 && !existsSync(port); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(port), `server did not start: ${err}`);
  return {
    base: `http://127.0.0.1:${readFileSync(port, 'utf8').trim()}`,
    stderr: () => err,
    // SIGTERM, then the exit status must be 0 and the log free of sanitizer reports
    async stop() {
      child.kill('SIGTERM');
      const code = await exit;
      assert.equal(code, 0, `server exit status (stderr: ${err.slice(-2000)})`);
      assert.doesNotMatch(err, /Sanitizer/, 'no sanitizer report from the server');
    },
  };
}

// Debian's chromium (or $CUST_CHROMIUM), headless, a new empty profile under DIR; the pages'
// CSP is bypassed only so that axe-core can be injected. `options` adds to Playwright's.
export function launchChromium(dir, options = {}) {
  return chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: process.env.CUST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    bypassCSP: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...options,
  });
}

// The page's serious and critical axe-core violations, one line each ("id: help (nodes)").
export async function axeViolations(page) {
  await page.addScriptTag({ content: axe.source });
  const result = await page.evaluate(async () => await window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

// Audit the page as it stands: its axe violations (none allowed), a full-page screenshot in
// DIR/NAME.png (kept whatever the outcome), and with { fits: true } no sideways scroll at the
// viewport's width. Returns the number of checks made.
export async function auditPage(page, name, dir, { fits = false } = {}) {
  const bad = await axeViolations(page);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  assert.deepEqual(bad, [], `${name}: axe violations`);
  if (!fits)
    return 1;
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  const width = page.viewportSize().width;
  assert.ok(wide <= width, `${name}: fits ${width} px (scrollWidth ${wide})`);
  return 2;
}
