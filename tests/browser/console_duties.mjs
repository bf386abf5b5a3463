// console_duties.mjs - browser test: the duty worklist (issue 13 item 3) in real Chromium.
// Two detainers: one taken in by the clerk in July 2025 (its duties long overdue, a notice to
// the person and attorney among them), one by the sergeant today. Signed in as the clerk:
// /console/duties lists the open duties with what each asks, the person, the deadline in words
// and its law; "Mine", "Overdue only" and a request narrow it; "Mark done" (a POST with the
// session's CSRF token) takes the duty off the open list, names the clerk as its doer in the
// list and in the ledger; a POST without the token is refused; "Print notice" opens the notice
// as a printable page whose navigation is hidden in print, and Chromium prints it to a PDF.
// axe-core finds no serious or critical violation; at 400 px nothing scrolls sideways.
// Screenshots at 1280 and 400 px in $CUST_ARTIFACTS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
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

const T = mkdtempSync(join(tmpdir(), 'cust-browser-duties-'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'sgt_reyes',
  CUSTODIAN_TIMEZONE: 'America/Los_Angeles' };
delete env.CUSTODIAN_NOW;
const run = (extra, ...args) => execFileSync(bin, args, { env: { ...env, ...extra }, encoding: 'utf8' }).trim();
const pass = 'river otter lantern quietly 42';
writeFileSync(join(T, 'pass'), `${pass}\n`);
run({}, 'init');
const users = {};
for (const [name, role] of [['sgt_reyes', 'supervisor'], ['clerk_kim', 'clerk']])
  users[name] = run({}, 'user', 'add', name, '--role', role, '--passphrase-file', join(T, 'pass'));
run({}, 'import', `${src}/tests/data/desk/county.jsonl`);
const add = (extra, doc) => {
  writeFileSync(join(T, 'r.json'), JSON.stringify(doc));
  return run(extra, 'request', 'add', join(T, 'r.json'));
};
// July 2025, taken in by the clerk: decided, the release date given -> a notice duty
const july = { CUSTODIAN_NOW: '2025-07-18T19:00:00Z', CUSTODIAN_USER: 'clerk_kim' };
const det1 = add(july, { kind: 'detainer', form: 'I-247A', requester: { agency: 'ICE', office: 'LA' },
  received_at: '2025-07-18T10:00:00-07:00', subject: { fbi: '123456AB7', last_name: 'GARCIA' } });
run(july, 'request', 'decide', det1);
run(july, 'request', 'act', det1, '--action', 'notify', '--by', 'sgt_reyes');
// today, taken in by the sergeant: decided, its copy due by the end of the next business day
const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const det2 = add({}, { kind: 'detainer', form: 'I-247A', requester: { agency: 'ICE', office: 'San Diego' },
  received_at: now, subject: { booking_number: '1004', last_name: 'NGUYEN' } });
run({}, 'request', 'decide', det2);
const duties = JSON.parse(run({}, 'duties', 'list', '--json'));
const byReq = (id) => duties.filter((d) => d.request_id === id && d.status === 'open').map((d) => String(d.id)).sort();
assert.ok(byReq(det1).length >= 2 && byReq(det2).length >= 1, `duties: ${JSON.stringify(duties)}`);
const copy1 = duties.find((d) => d.request_id === det1 && d.duty === 'serve_copy_to_subject');
const notice1 = duties.find((d) => d.request_id === det1 && d.duty === 'notice_to_subject_and_attorney');
assert.ok(copy1 && notice1, 'serve copy and notice duties on the July detainer');

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
    checks += await auditPage(page, name, artifacts, { fits: true });
  }
  const ids = async () => (await page.locator('table.duty-list tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.id.replace('duty-', '')))).sort();
  const row = (id) => page.locator(`tr#duty-${id}`);

  await page.goto(`${base}/console`);
  await page.getByLabel('User name').fill('clerk_kim');
  await page.getByLabel('Passphrase').fill(pass);
  await page.getByLabel('Authenticator code').fill(totp(users.clerk_kim));
  await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);

  // the navigation leads to the worklist: every open duty
  await Promise.all([page.waitForURL(/\/console\/duties$/), page.getByRole('link', { name: 'Duties', exact: true }).click()]);
  assert.equal(await page.locator('h1').innerText(), 'Duties');
  assert.deepEqual(await ids(), [...byReq(det1), ...byReq(det2)].sort());
  const r1 = row(copy1.id);
  assert.match(await r1.locator('th').innerText(), /^Give the person a copy of the request and say whether the agency will comply$/);
  assert.match(await r1.locator('td[data-label="Person"]').innerText(), /JOSE GARCIA, booking 1001/);
  assert.match((await r1.locator('td[data-label="Due"]').innerText()).replace(/\u202f/g, ' '),
    /^July 21, 2025 at 11:59 PM PDT overdue/i);
  assert.match(await r1.locator('td[data-label="Law"]').innerText(), /Cal\. Gov\. Code § 7283\.1\(b\)/);
  checks += 5;
  await audit('console-duties-1280');

  // filters
  await page.locator('label[for="mine"]').click();
  await Promise.all([page.waitForURL(/mine=1/), page.getByRole('button', { name: 'Show duties' }).click()]);
  assert.deepEqual(await ids(), byReq(det1), 'mine: the requests the clerk took in');
  await page.goto(`${base}/console/duties?overdue=1`);
  const overdue = duties.filter((d) => d.overdue).map((d) => String(d.id)).sort();
  assert.ok(overdue.length >= 2 && duties.filter((d) => d.overdue).every((d) => d.request_id === det1));
  assert.deepEqual(await ids(), overdue, 'overdue: the July duties with a deadline, not today\'s');
  // the API has the same filters
  const api = await page.evaluate(async (u) => (await (await fetch(u)).json()).duties.map((d) => String(d.id)).sort(),
    `${base}/api/v1/duties?mine=1&open=1`);
  assert.deepEqual(api, byReq(det1), 'GET /api/v1/duties?mine=1: the same duties');
  const apiLate = await page.evaluate(async (u) => (await (await fetch(u)).json()).duties.map((d) => String(d.id)).sort(),
    `${base}/api/v1/duties?overdue=1`);
  assert.deepEqual(apiLate, overdue, 'GET /api/v1/duties?overdue=1');
  checks += 2;
  await page.goto(`${base}/console/duties?request=${det2}`);
  assert.deepEqual(await ids(), byReq(det2), 'one request');
  const badReq = await page.goto(`${base}/console/duties?request=${encodeURIComponent('x y')}`);
  assert.equal(badReq.status(), 400);
  checks += 4;

  // a POST without the CSRF token is refused and changes nothing
  const forged = await page.evaluate(async (u) => (await fetch(u, { method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'back=%2Fconsole%2Fduties' })).status,
  `${base}/console/duties/${copy1.id}/done`);
  assert.equal(forged, 403);
  checks++;

  // mark done: off the open list, by the clerk, in the ledger
  await page.goto(`${base}/console/duties?mine=1`);
  await Promise.all([page.waitForURL(/done=/), row(copy1.id).getByRole('button', { name: /^Mark done/ }).click()]);
  assert.match(page.url(), new RegExp(`/console/duties\\?mine=1&done=${copy1.id}$`), 'back to the same list');
  assert.match(await page.locator('.usa-alert--success').innerText(), new RegExp(`Duty ${copy1.id} is marked done`));
  assert.ok(!(await ids()).includes(String(copy1.id)), 'the duty left the open list');
  await page.goto(`${base}/console/duties?all=1&request=${det1}`);
  assert.match(await row(copy1.id).locator('td[data-label="Status"]').innerText(), /^Done by clerk_kim, [A-Z][a-z]+ \d+, \d{4}/);
  assert.equal(await row(copy1.id).getByRole('button', { name: /^Mark done/ }).count(), 0, 'no button on a done duty');
  const log = JSON.parse(run({}, 'audit', 'log', '--json'));
  assert.ok(log.some((e) => e.action === 'duty.done' && e.actor === 'clerk_kim' && e.object_id === det1),
    'duty.done by the clerk in the ledger');
  checks += 6;

  // at 400 px: labelled cards, no sideways scroll
  await page.setViewportSize({ width: 400, height: 900 });
  await page.goto(`${base}/console/duties`);
  const label = await page.locator('table.duty-list tbody tr').first().locator('td').first()
    .evaluate((td) => getComputedStyle(td, '::before').content);
  assert.equal(label, '"Person"');
  checks++;
  await audit('console-duties-400');

  // print the notice: a page of its own, the navigation hidden in print, a PDF
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/console/duties?request=${det1}`);
  await Promise.all([page.waitForURL(/\/notice$/), row(notice1.id).getByRole('link', { name: /^Print notice/ }).click()]);
  const text = await page.locator('.notice-text').innerText();
  assert.match(text, /NOTICE: INFORMATION ABOUT YOU WAS GIVEN TO IMMIGRATION AUTHORITIES/);
  assert.match(text, /To: JOSE GARCIA/);
  assert.match(text, /Date of this notice: [A-Z][a-z]+ \d{1,2}, \d{4}/);
  assert.ok(await page.locator('nav.no-print').isVisible(), 'the navigation on screen');
  checks += 4;
  await audit('console-notice-1280');
  await page.emulateMedia({ media: 'print' });
  assert.ok(!(await page.locator('nav.no-print').isVisible()), 'no navigation in print');
  const pdf = await page.pdf({ format: 'Letter' });
  assert.ok(pdf.length > 5000 && pdf.subarray(0, 5).toString() === '%PDF-', `a PDF (${pdf.length} bytes)`);
  writeFileSync(join(artifacts, 'console-notice.pdf'), pdf);
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 400, height: 900 });
  await audit('console-notice-400');
  checks += 2;

  // the notice in the six TRUTH Act languages (Gov. Code 7283.1(a)): each a page in its own
  // language with the person, the booking and the date in its words; a translation not yet
  // signed off says so, on the page and in the text; each prints to a PDF whose text
  // (pdftotext, where installed) reads in that language
  await page.setViewportSize({ width: 1280, height: 900 });
  const phrases = { en: 'Date of this notice: ', es: 'Fecha de este aviso: ', zh: '本通知日期：',
    tl: 'Petsa ng abisong ito: ', vi: 'Ngày của thông báo này: ', ko: '본 통지 날짜: ' };
  let pdftotext = true;
  try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); } catch { pdftotext = false; }
  for (const [lang, phrase] of Object.entries(phrases)) {
    const resp = await page.goto(`${base}/console/duties/${notice1.id}/notice?lang=${lang}`);
    assert.equal(resp.status(), 200, lang);
    assert.equal(await page.locator('html').getAttribute('lang'), lang === 'zh' ? 'zh-Hant' : lang);
    const body = await page.locator('.notice-text').innerText();
    assert.ok(body.includes(phrase) && body.includes('JOSE GARCIA') && body.includes('1001'),
      `${lang}: the person, the booking and the date: ${body.slice(0, 400)}`);
    if (lang === 'en') {
      assert.equal(await page.locator('.review').count(), 0, 'English is the source');
      assert.ok(!body.startsWith('DRAFT TRANSLATION'));
    } else {
      assert.match(await page.locator('.review').innerText(), /needs review by a qualified translator/);
      assert.ok(body.startsWith('DRAFT TRANSLATION - needs review by a qualified translator'), lang);
    }
    assert.match(await page.locator('nav.no-print').innerText(), /English.*Spanish.*Chinese.*Tagalog.*Vietnamese.*Korean/s);
    checks += 5;
    await audit(`console-notice-${lang}-1280`);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'Letter' });
    await page.emulateMedia({ media: 'screen' });
    const file = join(artifacts, `console-notice-${lang}.pdf`);
    writeFileSync(file, pdf);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.ok(pdf.subarray(0, 5).toString() === '%PDF-' && pages >= 1 && pages <= 3,
      `${lang}: a PDF of 1 to 3 pages (${pages}, ${pdf.length} bytes)`);
    checks++;
    if (pdftotext) {
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      assert.ok(text.includes(phrase.replace(/\s+/g, '')) && text.includes('1001'),
        `${lang}: the PDF's text reads in the language: ${text.slice(0, 300)}`);
      assert.ok(!text.includes('no-print') && !text.includes('Backtoduties'), `${lang}: no navigation in print`);
      checks += 2;
    }
  }
  console.log(`PASS: console_duties.mjs (${checks} checks)`);
} catch (e) {
  console.error(e);
  if (server?.stderr()) console.error(`server stderr: ${server.stderr().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
