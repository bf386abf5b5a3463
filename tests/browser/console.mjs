// console.mjs - browser tests: Playwright (playwright-core) drives Debian's chromium headless
// against a server this test starts on a free loopback port. Pages: the public locator search,
// staff login with a TOTP code, a detainer's decision page, a data request's fulfilment with
// the download; axe-core must report no serious or critical violation on any page visited.
// Screenshots (and the download) are kept in $CUST_ARTIFACTS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { auditPage, launchChromium, startServer } from './lib.mjs';
import { totp } from './totp.mjs';

const src = process.env.CUST_SOURCE_DIR;
const bin = process.env.CUSTODIAN;
const artifacts = process.env.CUST_ARTIFACTS || join(process.env.CUST_BUILD_DIR || '.', 'test-artifacts');
assert.ok(src && bin, 'CUST_SOURCE_DIR and CUSTODIAN must be set');
mkdirSync(artifacts, { recursive: true });

const T = mkdtempSync(join(tmpdir(), 'cust-browser-'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'tester' };
const run = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });

run('init');
run('import', `${src}/tests/data/records/good.jsonl`);
// the detainer arrives with its documents: the I-247A the request names by hash (the bytes
// "test" hash to it) and an I-200 it does not name, with a name that needs encoding in a URL
writeFileSync(join(T, 'i247a.pdf'), 'test');
writeFileSync(join(T, 'I-200 warrant #1.txt'), 'I-200 warrant for arrest of alien\n');
const det = run('request', 'add', `${src}/tests/data/requests/detainer.json`,
  '--attach', join(T, 'i247a.pdf'), '--attach', join(T, 'I-200 warrant #1.txt')).trim();
const doj = run('request', 'add', `${src}/tests/data/requests/doj-letter.json`).trim();
const pass = 'river otter lantern quietly 42';
writeFileSync(join(T, 'pass'), `${pass}\n`);
const uri = run('user', 'add', 'sgt_reyes', '--role', 'supervisor', '--passphrase-file', join(T, 'pass')).trim();
assert.match(uri, /^otpauth:\/\/totp\/custodian:sgt_reyes\?secret=/);
const auditorUri = run('user', 'add', 'aud_kim', '--role', 'auditor', '--passphrase-file', join(T, 'pass')).trim();

process.on('exit', () => rmSync(T, { recursive: true, force: true }));
let server;
let context;
let checks = 0;
const pagesChecked = [];
try {
  server = await startServer(bin, ['serve'], env, T);
  const base = server.base;
  // a new, empty profile (Playwright passes it as --user-data-dir)
  context = await launchChromium(T, { acceptDownloads: true });
  const page = await context.newPage();

  // No serious/critical axe violation; screenshot kept.
  async function audit(name) {
    checks += await auditPage(page, name, artifacts);
    pagesChecked.push(name);
  }

  // 1. the public locator works without JavaScript's help: a plain GET form
  await page.goto(`${base}/locator`);
  await audit('locator-form');
  await page.getByLabel('Last name').fill('garcia');
  await Promise.all([page.waitForURL(/last_name=garcia/), page.getByRole('button', { name: 'Search' }).click()]);
  const row = page.locator('table tbody tr').first();
  assert.match(await row.innerText(), /GARCIA, JOSE/);
  assert.match(await page.locator('table').innerText(), /\$50,000\.00/);
  assert.doesNotMatch(await page.content(), /A12345678|Main St|1988-04-02/);
  checks += 3;
  await audit('locator-results');

  // 2. staff login with passphrase + TOTP
  await page.goto(`${base}/console`);
  assert.match(page.url(), /\/login$/, 'the console sends a stranger to the login page');
  await audit('login');
  await page.getByLabel('User name').fill('sgt_reyes');
  await page.getByLabel('Passphrase').fill(pass);
  await page.getByLabel('Authenticator code').fill(totp(uri));
  await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.match(await page.locator('h1').innerText(), /Dashboard/);
  assert.match(await page.locator('#in-custody').innerText(), /^\d{1,3}(,\d{3})*$/);
  checks += 3;
  await audit('dashboard');

  // 3. a detainer: decide it, then read the decision with each verdict and its citation
  await page.getByRole('link', { name: det }).click();
  await page.waitForURL(new RegExp(`/console/requests/${det}$`));
  await Promise.all([page.waitForURL(new RegExp(`/console/requests/${det}$`)),
    page.getByRole('button', { name: 'Decide under the policy' }).click()]);
  assert.equal(await page.locator('#status').innerText(), 'Decided');
  const verdicts = await page.locator('ul.verdicts').innerText();
  assert.match(verdicts, /To hold is prohibited under rule ca\.hold\. Citation: Cal\. Gov\. Code § 7284\.6\(a\)\(1\)\(B\)/);
  assert.match(verdicts, /To notify is permitted/);
  const trace = await page.locator('details.trace li').allInnerTexts();
  assert.ok(trace.length >= 2, `the trace in sentences: ${trace}`);
  assert.ok(trace.some((t) => /hold/.test(t)), `the trace mentions the hold: ${trace}`);
  assert.ok(await page.getByRole('button', { name: /hold declined/ }).count() === 1, 'the allowed actions');
  // each decision and match names its person: name, booking number, person id
  assert.match(await page.locator('.usa-summary-box__heading').innerText(),
    /^Decision for JOSE GARCIA, booking 6012345 \(person #\d+\)$/);
  // a match with the date of birth (a supervisor may read it) and why it is one
  assert.match(await page.locator('p.match').first().innerText(),
    /^JOSE GARCIA, born 1988-04-02, booking 6012345 \(person #\d+\): confirmed \(score 1\.00, strong identifier\)\nWhy: .*fbi exact/);
  checks += 8;
  await audit('detainer-decision');
  await Promise.all([page.waitForURL(new RegExp(`/console/requests/${det}$`)),
    page.getByRole('button', { name: /hold declined/ }).click()]);
  assert.match(await page.locator('#actions').innerText(),
    /^hold for JOSE GARCIA, booking 6012345 \(person #\d+\): declined by sgt_reyes$/);
  checks++;
  // the documents received with it, each downloaded byte for byte
  for (const [name, bytes] of [['i247a.pdf', 'test'], ['I-200 warrant #1.txt', 'I-200 warrant for arrest of alien\n']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    const kept = join(artifacts, `${det}-${name.replace(/[^A-Za-z0-9.-]/g, '_')}`);
    await dl.saveAs(kept);
    assert.equal(readFileSync(kept, 'utf8'), bytes, `${name} as received`);
    checks++;
  }

  // 4. a data request: preview, then fulfil and download
  await page.goto(`${base}/console/requests/${doj}/fulfil`);
  assert.match(await page.locator('main').innerText(), /non_citizen/);
  await audit('fulfil-preview');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-json').click()]);
  const saved = join(artifacts, `${doj}.json`);
  await download.saveAs(saved);
  const body = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(body.request_id, doj);
  assert.ok(Array.isArray(body.rows) && body.rows.length >= 1, 'rows in the download');
  checks += 2;
  await page.goto(`${base}/console/requests/${doj}`);
  assert.equal(await page.locator('#status').innerText(), 'Fulfilled');
  checks++;
  // the answer on the request page: its summary, the decisions by outcome, the persons given
  // something with their names (not one box per distinct decision)
  assert.equal(await page.locator('#answer-persons').innerText(), String(body.rows.length));
  const items = await page.locator('#answer-items').innerText();
  assert.match(items, /release_date/);
  assert.match(await page.locator('#outcomes').innerText(), /\d+ persons?: given /);
  const people = await page.locator('#answer-people tbody tr').count();
  assert.ok(people >= 1 && people <= 50, `persons listed: ${people}`);
  assert.equal(await page.locator('.usa-summary-box').count(), 0, 'no box per decision');
  checks += 5;
  await audit('data-request-answer');

  // 5. roster and a booking with restricted fields (a supervisor may see them)
  await page.goto(`${base}/console/roster`);
  await audit('roster');
  // the search box says what it searches for to a sighted clerk too, not to screen readers alone
  const label = await page.locator('label[for=roster-last]').boundingBox();
  assert.ok(label && label.x >= 0 && label.width > 40, `the roster's search label is on screen: ${JSON.stringify(label)}`);
  checks++;
  // booked and release dates in words, as on the booking page, not RFC 3339
  const roster = await page.locator('table').innerText();
  assert.match(roster, /March 14, 2025 at 5:22\u202fPM UTC/);
  assert.match(roster, /October 30, 2025/);
  assert.doesNotMatch(roster, /\d{4}-\d\d-\d\d/);
  checks++;
  // the roster a page at a time (?lines=N; 500 by default): Next and Previous keep the size
  await page.goto(`${base}/console/roster?lines=1`);
  const inCustody = Number(await page.locator('#roster-count').innerText());
  assert.ok(inCustody >= 2, `two or more in custody (${inCustody})`);
  assert.equal(await page.locator('#roster-shown').innerText(), '1\u20131');
  const firstOne = await page.locator('table tbody tr th').first().innerText();
  await Promise.all([page.waitForURL(/offset=1/), page.locator('#roster-next').click()]);
  assert.equal(await page.locator('#roster-shown').innerText(), '2\u20132');
  assert.notEqual(await page.locator('table tbody tr th').first().innerText(), firstOne);
  await audit('roster-page-2');
  await Promise.all([page.waitForURL(/offset=0/), page.locator('#roster-prev').click()]);
  assert.equal(await page.locator('table tbody tr th').first().innerText(), firstOne);
  assert.equal((await page.request.get(`${base}/console/roster?lines=0`)).status(), 400);
  await page.goto(`${base}/console/roster?offset=${inCustody}`);
  assert.match(await page.locator('main').innerText(), new RegExp(`none from line ${inCustody + 1}`));
  assert.ok(await page.locator('#roster-prev').isVisible(), 'a way back from past the end');
  checks += 8;
  await page.goto(`${base}/console/roster`);
  await page.getByRole('link', { name: '6012345' }).click();
  assert.match(await page.locator('main').innerText(), /A12345678/);
  checks++;
  await audit('booking');

  // 6. sign out, then an auditor: the audit status, and no roster in the navigation
  await Promise.all([page.waitForURL(/\/login$/), page.getByRole('button', { name: /Sign out/ }).click()]);
  await page.goto(`${base}/console/roster`);
  assert.match(page.url(), /\/login$/, 'signed out');
  await page.getByLabel('User name').fill('aud_kim');
  await page.getByLabel('Passphrase').fill(pass);
  await page.getByLabel('Authenticator code').fill(totp(auditorUri));
  await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.getByRole('link', { name: 'Audit' }).click();
  assert.match(await page.locator('#ledger').innerText(), /^ledger ok: \d+ entries$/);
  assert.match(await page.locator('#rows').innerText(),
    /^rows ok: [1-9]\d* rows of the record and the desk match the ledger$/);
  checks += 3;
  await audit('audit-status');
  const denied = await page.goto(`${base}/console/bookings/6012345`);
  assert.equal(denied.status(), 200, 'an auditor may read the roster');
  assert.doesNotMatch(await page.content(), /A12345678/, 'but not restricted fields');
  checks++;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
const ledger = JSON.parse(run('audit', 'log', '--json'));
for (const action of ['login', 'view']) {
  assert.ok(ledger.some((e) => e.action === action), `ledger has a ${action} entry`);
  checks++;
}
assert.match(run('audit', 'verify'), /^ledger ok/);
console.log(`PASS: browser console (${checks} checks; axe clean on ${pagesChecked.join(', ')})`);
