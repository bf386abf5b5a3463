// locator_names.mjs - browser test: the public locator page finds people by their names as
// people type them (issue 13): "Mejía", "mejia", the prefix "Mej", "Nguyễn" typed into the form
// in real Chromium find MEJÍA, MEJIA and NGUYEN; the page shows the names as recorded and keeps
// the query as typed; axe-core reports no serious or critical violation. Screenshots in
// $CUST_ARTIFACTS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { auditPage, launchChromium, startServer } from './lib.mjs';

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

process.on('exit', () => rmSync(T, { recursive: true, force: true }));
let server;
let context;
let checks = 0;
try {
  server = await startServer(bin, ['serve'], env, T);
  const base = server.base;
  context = await launchChromium(T);
  const page = await context.newPage();

  async function audit(name) {
    checks += await auditPage(page, name, artifacts);
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
  if (server?.stderr()) console.error(`server stderr: ${server.stderr()}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
