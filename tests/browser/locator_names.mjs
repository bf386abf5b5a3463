// locator_names.mjs - browser test: the public locator page finds people by their names as
// people type them (issue 13): "Mejía", "mejia", the prefix "Mej", "Nguyễn" typed into the form
// in real Chromium find MEJÍA, MEJIA and NGUYEN; the page shows the names as recorded and keeps
// the query as typed; axe-core reports no serious or critical violation. Screenshots in
// $CUST_ARTIFACTS.
import { chromium } from 'playwright-core';
import axe from 'axe-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const bin = process.env.CUSTODIAN;
const artifacts = process.env.CUST_ARTIFACTS || join(process.env.CUST_BUILD_DIR || '.', 'test-artifacts');
assert.ok(bin, 'CUSTODIAN must be set');
mkdirSync(artifacts, { recursive: true });

const T = mkdtempSync(join(tmpdir(), 'cust-browser-names-'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'tester' };
const run = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });

const booked = new Date(Date.now() - 3 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const booking = (number, id, last, first) => JSON.stringify({
  booking_number: number, booked_at: booked, facility: 'North Facility', housing: 'H1',
  arresting_agency: 'County Sheriff',
  person: { person_id: id, last_name: last, first_name: first, dob: '1980-01-01' },
  charges: [{ code: 'VC 23152(a)', description: 'DUI', level: 'misdemeanor', status: 'pending', bail_cents: 500000 }],
  scheduled_release: '2030-05-05', release_date_public: false,
});
writeFileSync(join(T, 'names.jsonl'), [
  booking('8880001', 'P1', 'MEJÍA', 'JOSÉ'),
  booking('8880002', 'P2', 'MEJIA', 'ANA'),
  booking('8880003', 'P3', 'NGUYEN', 'VAN'),
  booking('8880005', 'P5', 'MEKONNEN', 'ABEBE'),
].join('\n') + '\n');
run('init');
run('import', join(T, 'names.jsonl'));

const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--port-file', join(T, 'port')], {
  env, stdio: ['ignore', 'ignore', 'pipe'],
});
let serverErr = '';
server.stderr.on('data', (d) => { serverErr += d; });
const serverExit = new Promise((r) => server.on('exit', (code) => r(code)));
process.on('exit', () => {
  server.kill('SIGKILL');
  rmSync(T, { recursive: true, force: true });
});
let context;
let checks = 0;
try {
  for (let i = 0; i < 200 && !existsSync(join(T, 'port')); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(join(T, 'port')), `server did not start: ${serverErr}`);
  const base = `http://127.0.0.1:${readFileSync(join(T, 'port'), 'utf8').trim()}`;
  context = await chromium.launchPersistentContext(join(T, 'chromium'), {
    executablePath: process.env.CUST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    bypassCSP: true, // to inject axe-core; the pages themselves run under the server's CSP
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();

  async function audit(name) {
    await page.addScriptTag({ content: axe.source });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `${name}: axe violations`);
    checks++;
  }

  // type a last name into the form, submit it; the booking numbers listed, sorted
  async function search(last) {
    await page.goto(`${base}/locator`);
    await page.getByLabel('Last name').fill(last);
    await Promise.all([page.waitForURL(/last_name=/), page.getByRole('button', { name: 'Search' }).click()]);
    const rows = await page.locator('table tbody tr').allInnerTexts();
    return rows.map((r) => (r.match(/888000\d/) || ['?'])[0]).sort();
  }

  for (const q of ['Mejía', 'mejia', 'MEJIA']) {
    assert.deepEqual(await search(q), ['8880001', '8880002'], `last name ${q}`);
    checks++;
  }
  // the query stays as typed, the results show the names as recorded
  assert.equal(await page.getByLabel('Last name').inputValue(), 'MEJIA');
  assert.match(await page.locator('table').innerText(), /MEJÍA, JOSÉ/);
  checks += 2;
  assert.deepEqual(await search('Mejía'), ['8880001', '8880002']);
  assert.equal(await page.getByLabel('Last name').inputValue(), 'Mejía');
  checks += 2;
  await audit('locator-accents');
  assert.deepEqual(await search('Mej'), ['8880001', '8880002'], 'a prefix of 3 letters');
  assert.deepEqual(await search('Nguyễn'), ['8880003'], 'Nguyễn finds NGUYEN');
  checks += 2;
  await audit('locator-vietnamese');
  console.log(`PASS: locator_names.mjs (${checks} checks)`);
} catch (e) {
  console.error(e);
  if (serverErr) console.error(`server stderr: ${serverErr}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  server.kill('SIGTERM');
  const code = await serverExit;
  if (code !== 0 || /Sanitizer/.test(serverErr)) {
    console.error(`server exit ${code}: ${serverErr.slice(-2000)}`);
    process.exitCode = 1;
  }
}
