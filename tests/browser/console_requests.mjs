// console_requests.mjs - browser test: the console's request list (issue 13 item 3) in real
// Chromium. Signed in as a supervisor: /console/requests lists every request; filters by kind,
// status, agency, overdue and received between (county-local dates), a search by name (with or
// without accents) or booking number; a bad filter is a 400 naming the field; a request acted
// on is overdue neither on the dashboard nor on the list; at 400 px the
// navigation opens from the Menu button and the rows are labelled cards. axe-core finds no
// serious or critical violation on any state. Screenshots in $CUST_ARTIFACTS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { auditPage, launchChromium, startServer } from './lib.mjs';
import { totp } from './totp.mjs';

const bin = process.env.CUSTODIAN;
const src = process.env.CUST_SOURCE_DIR;
const artifacts = process.env.CUST_ARTIFACTS || join(process.env.CUST_BUILD_DIR || '.', 'test-artifacts');
assert.ok(bin && src, 'CUSTODIAN and CUST_SOURCE_DIR must be set');
mkdirSync(artifacts, { recursive: true });

const T = mkdtempSync(join(tmpdir(), 'cust-browser-requests-'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'tester',
  CUSTODIAN_TIMEZONE: 'America/Los_Angeles' };
const run = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });

run('init');
run('import', `${src}/tests/data/records/good.jsonl`);
const base = JSON.parse(readFileSync(`${src}/tests/data/requests/detainer.json`, 'utf8'));
const add = (doc) => {
  writeFileSync(join(T, 'r.json'), JSON.stringify(doc));
  return run('request', 'add', join(T, 'r.json')).trim();
};
// ICE's detainer for GARCIA (March 2024: long overdue), a notification request for MEJÍA from
// another office in January 2025, the DOJ letter (a data request, no subject)
const det = add(base);
const notif = add({ ...base, kind: 'notification_request', form: 'I-247N', asks: ['notify'],
  requester: { agency: 'ICE ERO San Diego', office: 'San Diego' }, received_at: '2025-01-10T09:00:00-08:00',
  subject: { last_name: 'MEJÍA', first_name: 'ANA', dob: '1990-02-02' } });
const doj = run('request', 'add', `${src}/tests/data/requests/doj-letter.json`).trim();
const pass = 'river otter lantern quietly 42';
writeFileSync(join(T, 'pass'), `${pass}\n`);
const uri = run('user', 'add', 'sgt_reyes', '--role', 'supervisor', '--passphrase-file', join(T, 'pass')).trim();

process.on('exit', () => rmSync(T, { recursive: true, force: true }));
let server;
let context;
let checks = 0;
try {
  server = await startServer(bin, ['serve'], env, T);
  const url = server.base;
  context = await launchChromium(T);
  const page = await context.newPage();
  async function audit(name) {
    checks += await auditPage(page, name, artifacts);
  }
  const ids = async () => (await page.locator('table tbody tr th').allInnerTexts()).map((s) => s.trim()).sort();

  await page.goto(`${url}/console`);
  await page.getByLabel('User name').fill('sgt_reyes');
  await page.getByLabel('Passphrase').fill(pass);
  await page.getByLabel('Authenticator code').fill(totp(uri));
  await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);

  // the navigation leads to the list; every request is there
  await Promise.all([page.waitForURL(/\/console\/requests$/), page.getByRole('link', { name: 'Requests' }).click()]);
  assert.equal(await page.locator('h1').innerText(), 'Requests');
  assert.deepEqual(await ids(), [det, notif, doj].sort());
  assert.match(await page.locator('h2#results').innerText(), /^3 requests/);
  assert.match(await page.locator('table').innerText(), /March 2, 2024 at 10:00\sAM PST/, 'received in words, county time');
  checks += 4;
  await audit('console-requests-1280');

  // filters, each through the form
  await page.getByLabel('Kind').selectOption('detainer');
  await Promise.all([page.waitForURL(/kind=detainer/), page.getByRole('button', { name: 'Show requests' }).click()]);
  assert.deepEqual(await ids(), [det]);
  assert.equal(await page.getByLabel('Kind').inputValue(), 'detainer', 'the filter stays chosen');
  await page.goto(`${url}/console/requests?q=mejia`);
  assert.deepEqual(await ids(), [notif], 'a name without its accent finds MEJÍA');
  await page.goto(`${url}/console/requests?q=Garc`);
  assert.deepEqual(await ids(), [det], 'a prefix of the subject name');
  await page.goto(`${url}/console/requests?q=6012345`);
  assert.deepEqual(await ids(), [det], 'a booking number');
  await page.goto(`${url}/console/requests?agency=san+diego`);
  assert.deepEqual(await ids(), [notif], 'a part of the agency, any case');
  await page.goto(`${url}/console/requests?from=2025-01-10&to=2025-01-10`);
  assert.deepEqual(await ids(), [notif], 'received on a county day');
  await page.goto(`${url}/console/requests?from=2025-01-11&to=2025-07-01`);
  assert.deepEqual(await ids(), [], 'nothing received in between');
  assert.match(await page.locator('main').innerText(), /No request matches these filters/);
  await page.goto(`${url}/console/requests?status=received&kind=notification_request`);
  assert.deepEqual(await ids(), [notif]);
  await page.goto(`${url}/console/requests?overdue=1`);
  assert.ok((await ids()).includes(det), 'the 2024 detainer is overdue');
  assert.match(await page.locator('table').innerText(), /overdue/i);
  checks += 11;
  await audit('console-requests-filtered');
  const bad = await page.goto(`${url}/console/requests?kind=hold_please`);
  assert.equal(bad.status(), 400);
  assert.match(await page.locator('.usa-alert').innerText(), /kind: unknown kind 'hold_please' \(one of: detainer,/);
  checks += 2;

  // a request acted on is not overdue, on the dashboard as on the list and the CLI: a second
  // detainer for GARCIA, decided, its hold and notification declined (its deadline long past);
  // the first, still waiting, is overdue on all three
  const acted = add({ ...base, received_at: '2024-03-05T10:00:00-08:00' });
  run('request', 'decide', acted);
  run('request', 'act', acted, '--action', 'hold', '--decline', '--by', 'tester', '--reason', 'prohibited');
  run('request', 'act', acted, '--action', 'notify', '--decline', '--by', 'tester', '--reason', 'not asked');
  const cli = Object.fromEntries(JSON.parse(run('request', 'list', '--json')).map((r) => [r.id, r]));
  assert.equal(cli[acted].status, 'acted');
  assert.equal(cli[acted].overdue, false, 'request list: the acted detainer is not overdue');
  assert.equal(cli[det].overdue, true, 'request list: the waiting detainer is overdue');
  checks += 3;
  for (const path of ['/console', '/console/requests']) {
    await page.goto(`${url}${path}`);
    const rowOf = (id) => page.locator('table tbody tr').filter({ hasText: id }).first();
    assert.match(await rowOf(det).innerText(), /overdue/i, `${path}: the waiting detainer is overdue`);
    assert.doesNotMatch(await rowOf(acted).innerText(), /overdue/i, `${path}: the acted one is not`);
    checks += 2;
  }

  // a phone: the menu opens the navigation; rows are labelled cards
  await page.setViewportSize({ width: 400, height: 900 });
  await page.goto(`${url}/console/requests`);
  const menu = page.getByRole('button', { name: 'Menu' });
  assert.ok(await menu.isVisible(), 'a Menu button on a phone');
  assert.ok(!(await page.getByRole('link', { name: 'Roster' }).isVisible()), 'the navigation starts closed');
  await menu.click();
  await page.getByRole('link', { name: 'Roster' }).waitFor({ state: 'visible' });
  checks += 3;
  await audit('console-nav-400');
  await page.getByRole('button', { name: 'Close' }).click();
  const label = await page.locator('table tbody tr').first().locator('td').first()
    .evaluate((td) => getComputedStyle(td, '::before').content);
  assert.equal(label, '"Kind"');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the list fits 400 px (scrollWidth ${wide})`);
  checks += 2;
  await audit('console-requests-400');
  console.log(`PASS: console_requests.mjs (${checks} checks)`);
} catch (e) {
  console.error(e);
  if (server?.stderr()) console.error(`server stderr: ${server.stderr()}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
