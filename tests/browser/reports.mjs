// reports.mjs - browser tests of the oversight pages: a small demo county (generated, its requests
// worked through the desk by `custodian demo history`), then in Debian's chromium: the reports
// index, the detainer statistics with their charts (figures checked against the API's JSON and
// the CSV download), the transfer report, the TRUTH Act forum pack, the public-records export
// (a tar download), the inspector general's view with filters, the enforcement-action form and
// log, and the public /enforcement page. Every page: axe-core with no serious or critical
// violation, and a screenshot at 1280 and at 400 px kept in $CUST_ARTIFACTS. A canary name
// recorded in the enforcement log must never reach the public page or a clerk's view.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { axeViolations, launchChromium, startServer } from './lib.mjs';
import { totp } from './totp.mjs';

const src = process.env.CUST_SOURCE_DIR;
const bin = process.env.CUSTODIAN;
const artifacts = process.env.CUST_ARTIFACTS || join(process.env.CUST_BUILD_DIR || '.', 'test-artifacts');
assert.ok(src && bin, 'CUST_SOURCE_DIR and CUSTODIAN must be set');
mkdirSync(artifacts, { recursive: true });

const T = mkdtempSync(join(tmpdir(), 'cust-reports-'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'tester',
  CUSTODIAN_TIMEZONE: 'America/Los_Angeles' };
const run = (args, extra = {}) => execFileSync(bin, args, { env: { ...env, ...extra }, encoding: 'utf8',
  maxBuffer: 1 << 28 });

// the county and its history (the same commands as `make demo`, smaller)
const gen = ['--seed', '5', '--bookings', '8000', '--start', '2024-01-01', '--end', '2025-12-31'];
run(['init']);
writeFileSync(join(T, 'county.jsonl'), run(['gen', ...gen]));
run(['--as', 'demo-loader', 'import', join(T, 'county.jsonl')], { CUSTODIAN_NOW: '2024-01-01T00:00:00-08:00' });
run(['demo', 'history', '--quiet', ...gen]);
// the story's own enforcement log (from June 2025), before the canary entry
const story = JSON.parse(run(['enforcement', 'public', '--from', '2025-01-01', '--to', '2025-12-31', '--json']));
assert.ok(story.entries > 0, 'the demo history logs enforcement actions');
const CANARY = 'Zqxwvy Canarioperez';
writeFileSync(join(T, 'e.json'), JSON.stringify({
  occurred_at: '2025-06-06T10:30:00-07:00', area: 'Westlake', place: '7th St and Alvarado',
  agency: 'ICE ERO', detained: 3, persons: [{ name: CANARY }], reasons: 'administrative warrants',
  source: 'deputy on patrol',
}));
run(['enforcement', 'add', join(T, 'e.json')]);
const pass = 'river otter lantern quietly 42';
writeFileSync(join(T, 'pass'), `${pass}\n`);
const uri = {};
for (const [name, role] of [['sgt_reyes', 'supervisor'], ['aud_kim', 'auditor'], ['dep_ortiz', 'clerk']])
  uri[name] = run(['user', 'add', name, '--role', role, '--passphrase-file', join(T, 'pass')]).trim();

process.on('exit', () => rmSync(T, { recursive: true, force: true }));
let server;
let context;
let checks = 0;
const pagesChecked = [];
try {
  server = await startServer(bin, ['serve'], env, T);
  const base = server.base;
  context = await launchChromium(T, { acceptDownloads: true });
  const page = await context.newPage();

  // axe at the desktop width, then screenshots at 1280 and 400 px
  async function audit(name) {
    await page.setViewportSize({ width: 1280, height: 900 });
    const bad = await axeViolations(page);
    await page.screenshot({ path: join(artifacts, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 400, height: 800 });
    await page.screenshot({ path: join(artifacts, `${name}-400.png`), fullPage: true });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(bad, [],
      `${name}: axe violations`);
    assert.ok(wide <= 420, `${name}: the page fits 400 px (scroll width ${wide})`);
    pagesChecked.push(name);
    checks += 2;
  }
  async function login(name) {
    await page.goto(`${base}/login`);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Passphrase').fill(pass);
    await page.getByLabel('Authenticator code').fill(totp(uri[name]));
    await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  }
  async function logout() {
    await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: /Sign out/ }).click()]);
  }
  const api = async (path) => {
    const r = await page.request.get(`${base}${path}`);
    assert.equal(r.status(), 200, `${path}: ${r.status()}`);
    return r;
  };

  // 1. the public page: counts only, never the canary name
  await page.goto(`${base}/enforcement?year=2025`);
  assert.equal(await page.locator('#entries').innerText(), String(story.entries + 1));
  assert.equal(await page.locator('#detained').innerText(), String(story.detained + 3));
  assert.doesNotMatch(await page.content(), /Canarioperez|Alvarado|administrative warrants|patrol/);
  checks += 3;
  await audit('enforcement-public');

  // 2. a clerk records an action; the clerk's log shows no names
  await login('dep_ortiz');
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.waitForURL(/\/console\/reports$/);
  assert.equal(await page.getByRole('link', { name: 'Detainer statistics' }).count(), 0,
    'a clerk has no statistics');
  await page.getByRole('link', { name: 'Record an enforcement action' }).first().click();
  await page.waitForURL(/\/console\/enforcement\/new$/);
  await page.getByLabel('Date').fill('2025-07-02');
  await page.getByLabel('Time (county time)').fill('07:45');
  await page.getByLabel('Area', { exact: false }).first().fill('Boyle Heights');
  await page.getByLabel(/^Agency/).fill('CBP');
  await page.getByLabel('People detained', { exact: true }).fill('2');
  await page.getByLabel(/Names of people detained/).fill(`${CANARY} Segundo\nAna Ejemplo`);
  await page.getByLabel('Source', { exact: false }).last().fill('community witness');
  await Promise.all([page.waitForURL(/\/console\/enforcement\/new\?added=\d+$/),
    page.getByRole('button', { name: 'Record' }).click()]);
  assert.match(await page.locator('#added').innerText(), /Entry \d+ recorded/);
  assert.doesNotMatch(await page.locator('main table').innerText(), /Canarioperez|Ejemplo/,
    'a clerk does not see names in the log');
  checks += 3;
  await audit('enforcement-form');
  // an entry the server refuses (in the future): the problem named, nothing stored
  await page.getByLabel('Date').fill('2099-07-03');
  await page.getByLabel('Time (county time)').fill('09:00');
  await page.getByLabel('Area', { exact: false }).first().fill('Westlake');
  await page.getByLabel(/^Agency/).fill('ICE');
  await page.getByLabel('Source', { exact: false }).last().fill('a test');
  await Promise.all([page.waitForURL(/\/console\/enforcement$/), page.getByRole('button', { name: 'Record' }).click()]);
  assert.match(await page.locator('.usa-alert--error').innerText(), /occurred_at: is in the future/);
  checks++;
  await logout();

  // 3. a supervisor: statistics with charts, figures equal to the API's JSON and the CSV
  await login('sgt_reyes');
  await page.goto(`${base}/console/reports`);
  await audit('reports-index');
  await page.getByRole('link', { name: 'Detainer statistics' }).first().click();
  await page.getByRole('link', { name: '2024' }).click();
  await page.waitForURL(/detainers\?year=2024$/);
  const json = await (await api('/api/v1/reports/detainers?year=2024&by=month')).json();
  assert.equal(await page.locator('#holds-honored').innerText(), String(json.holds.honored));
  assert.equal(await page.locator('#holds-requested').innerText(), String(json.holds.requested));
  assert.equal(await page.locator('#notifications-given').innerText(), String(json.notifications.given));
  assert.equal(await page.locator('#total').innerText(), String(json.total));
  assert.equal(json.holds.honored, 0, 'none honored');
  assert.ok(json.requests.detainer > 0 && json.holds.requested === json.requests.detainer);
  assert.equal(json.months.length, 12);
  const charts = page.locator('svg.cust-chart[role="img"]');
  assert.equal(await charts.count(), 4, 'four monthly charts');
  assert.ok((await page.locator('svg.cust-chart rect').count()) > 24, 'bars drawn');
  checks += 9;
  await audit('report-detainers');
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.locator('#download-csv').click()]);
  const csvPath = join(artifacts, 'detainers-2024.csv');
  await csvDl.saveAs(csvPath);
  const csv = readFileSync(csvPath, 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 14, 'a header, 12 months and the total');
  const total = csv[13].split(',');
  assert.equal(Number(total[2]), json.requests.detainer);
  assert.equal(Number(total[4]), json.holds.honored);
  checks += 3;
  const [htmlDl] = await Promise.all([page.waitForEvent('download'), page.locator('#download-html').click()]);
  const htmlPath = join(artifacts, 'detainers-2024.html');
  await htmlDl.saveAs(htmlPath);
  assert.match(readFileSync(htmlPath, 'utf8'), /<svg[^>]+role="img"/);
  checks++;

  await page.goto(`${base}/console/reports/transfers?year=2025`);
  const xf = await (await api('/api/v1/reports/transfers?year=2025')).json();
  assert.equal(await page.locator('main table').last().locator('tbody tr').count(), xf.rows.length);
  assert.ok(xf.rows.every((r) => r.basis === 'judicial_warrant' || r.basis === 'judicial_probable_cause'),
    'transfers only on judicial warrants and determinations');
  checks += 2;
  await audit('report-transfers');

  await page.goto(`${base}/console/reports/truth-forum?year=2025`);
  const forum = await (await api('/api/v1/reports/truth-forum?year=2025')).json();
  assert.equal(await page.locator('#means-transfer').innerText(), String(forum.by_means.transfer.accesses));
  assert.equal(await page.locator('svg.cust-chart').count(), 1);
  assert.ok(forum.access_table.every((r) => /^person \d+$/.test(r.person)), 'no one named');
  assert.ok(await page.locator('main table').last().locator('tbody tr').count() <= 100, 'a page of lines');
  // countries by name, the most frequent first
  const countries = Object.entries(forum.demographics.citizenship_country);
  const named = countries.filter(([c]) => c !== 'not recorded');
  assert.ok(named.every(([, n], i) => i === 0 || n <= named[i - 1][1]), 'ordered by count');
  assert.ok(named.length === countries.length || countries.at(-1)[0] === 'not recorded');
  if (forum.demographics.citizenship_country.MX)
    assert.match(await page.locator('main').innerText(), /Mexico \(MX\)/);
  checks += 5;
  await audit('report-forum');

  await page.goto(`${base}/console/reports/cpra?from=2025-01-01&to=2025-12-31`);
  await audit('report-cpra');
  const [tarDl] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  const tarPath = join(artifacts, 'cpra-2025.tar');
  await tarDl.saveAs(tarPath);
  const tar = readFileSync(tarPath);
  assert.equal(tar.subarray(257, 262).toString(), 'ustar', 'a POSIX tar');
  const tarText = tar.toString('latin1');
  for (const f of ['requests.csv', 'decisions.csv', 'actions.csv', 'disclosures.csv', 'REDACTIONS.md', 'MANIFEST.json'])
    assert.ok(tarText.includes(`/${f}`), `the export holds ${f}`);
  checks += 2;

  await page.goto(`${base}/console/enforcement?lines=10&offset=10`);
  assert.match(await page.locator('#lines-shown').innerText(), new RegExp(`^Lines 11.20 of ${story.entries + 2} `));
  assert.equal(await page.locator('main table').last().locator('tbody tr').count(), 10);
  await page.goto(`${base}/console/enforcement`);
  assert.match(await page.locator('main').innerText(), /Canarioperez/, 'a supervisor reads the names');
  checks += 3;
  await audit('enforcement-log');
  // a page the role may not see: refused, in the console's layout (its navigation, sign-out)
  const refused = await page.goto(`${base}/console/oversight?year=2025`);
  assert.equal(refused.status(), 403);
  assert.equal(await page.locator('h1').innerText(), 'Not allowed');
  assert.match(await page.locator('main').innerText(), /oversight\.read: auditor only/);
  assert.ok(await page.getByRole('link', { name: 'Requests' }).isVisible(), 'the console navigation stays');
  checks += 4;
  await audit('refused-in-console');
  await logout();

  // 4. the auditor: the inspector general's view, filtered by actor
  await login('aud_kim');
  await page.goto(`${base}/console/oversight?year=2025`);
  const ig = await (await api('/api/v1/reports/oversight?year=2025')).json();
  assert.equal(await page.locator('#disclosures').innerText(), String(ig.disclosures));
  assert.ok(ig.rows.length > 0 && ig.rows.every((r) => r.actor && r.at && r.verdict));
  checks += 2;
  // a year's rows a page at a time (100 lines; ?lines=N), the next page keeping the period
  const igRows = page.locator('main table').last().locator('tbody tr');
  assert.equal(await igRows.count(), Math.min(100, ig.rows.length));
  assert.ok(ig.rows.length > 10, `enough rows to page (${ig.rows.length})`);
  await page.goto(`${base}/console/oversight?year=2025&lines=10`);
  assert.match(await page.locator('#lines-shown').innerText(), new RegExp(`^Lines 1.10 of ${ig.rows.length} `));
  assert.equal(await igRows.count(), 10);
  await Promise.all([page.waitForURL(/offset=10$/), page.locator('#page-next').click()]);
  assert.match(page.url(), /from=2025-01-01&to=2025-12-31&lines=10&offset=10$/);
  assert.equal(await igRows.count(), Math.min(10, ig.rows.length - 10));
  assert.equal(await igRows.first().locator('td').first().innerText(), ig.rows[10].at);
  assert.equal(await page.locator('[aria-current="page"][aria-label="Page 2"]').count(), 1);
  await audit('report-oversight-page-2');
  assert.equal((await page.request.get(`${base}/console/oversight?year=2025&offset=-1`)).status(), 400);
  assert.equal((await page.request.get(`${base}/console/oversight?year=2025&lines=5000`)).status(), 400);
  await page.goto(`${base}/console/oversight?year=2025`);
  checks += 10;
  await audit('report-oversight');
  const actor = ig.rows[0].actor;
  await page.getByLabel('Actor (user)').fill(actor);
  await Promise.all([page.waitForURL(/actor=/), page.getByRole('button', { name: 'Show' }).click()]);
  const mine = await (await api(`/api/v1/reports/oversight?year=2025&actor=${encodeURIComponent(actor)}`)).json();
  assert.ok(mine.rows.length > 0 && mine.rows.every((r) => r.actor === actor));
  assert.equal(await page.locator('main table').last().locator('tbody tr').count(), Math.min(100, mine.rows.length));
  checks += 2;
  const denied = await page.goto(`${base}/console/reports/cpra`);
  assert.equal(denied.status(), 403, 'the auditor does not export');
  checks++;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
const ledger = JSON.parse(run(['audit', 'log', '--json']));
assert.ok(ledger.some((e) => e.action === 'export' && e.object_type === 'cpra' && e.actor === 'sgt_reyes'),
  'the export is in the ledger');
assert.equal(ledger.filter((e) => e.action === 'enforcement.add').length, story.entries + 2);
assert.ok(!JSON.stringify(ledger.filter((e) => e.action === 'enforcement.add')).includes('Canarioperez'),
  'the ledger entry names no one');
checks += 3;
assert.match(run(['audit', 'verify']), /^ledger ok/);
console.log(`PASS: browser reports (${checks} checks; axe clean at 1280 px, screenshots at 1280 and 400 px of ${pagesChecked.join(', ')})`);
