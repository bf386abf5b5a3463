// locator_county.mjs - browser test: the public locator as a county publishes it (issue 13
// item 2). With the agency's [county] keys configured, in real Chromium: the title, header and
// footer name the agency; its seal loads; the official-site banner shows for a .gov website;
// visiting and bail information are on the page; dates read in words in the county's zone (no
// ISO dates); a search with more matches than the cap says "Showing 3 of 5"; an empty search
// gives advice and the agency's phone; at 400 px the results are labelled cards with no
// sideways scrolling. axe-core finds no serious or critical violation on any of them.
// Screenshots at 1280 and 400 px in $CUST_ARTIFACTS (copied to docs/screenshots/ by hand).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { auditPage, launchChromium, startServer } from './lib.mjs';

const bin = process.env.CUSTODIAN;
const src = process.env.CUST_SOURCE_DIR;
const artifacts = process.env.CUST_ARTIFACTS || join(process.env.CUST_BUILD_DIR || '.', 'test-artifacts');
assert.ok(bin && src, 'CUSTODIAN and CUST_SOURCE_DIR must be set');
mkdirSync(artifacts, { recursive: true });

const T = mkdtempSync(join(tmpdir(), 'cust-browser-county-'));
const agency = "Example County Sheriff's Department";
copyFileSync(join(src, 'examples/county/seal.svg'), join(T, 'seal.svg'));
writeFileSync(join(T, 'county.ini'), [
  '[county]',
  'timezone = America/Los_Angeles',
  `agency_name = ${agency}`,
  'agency_address = 100 Civic Center Plaza, Example City, CA 90000',
  'agency_phone = (555) 010-0100',
  'agency_email = inmate.info@sheriff.example.gov',
  'agency_website = https://sheriff.example.gov',
  'agency_seal = seal.svg',
  'visiting = Visits are by appointment, Saturdays and Sundays from 8:00 a.m. to 4:00 p.m.',
  '  Bring a government-issued photo ID.',
  'bail_info = Bail may be posted 24 hours a day at the Inmate Reception Center.',
  '[locator]',
  'result_cap = 3',
  '',
].join('\n'));
const env = { ...process.env, CUSTODIAN_DB: join(T, 'custodian.db'), CUSTODIAN_USER: 'tester' };
const run = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });

// booked at 18:15 UTC on a day in January: 10:15 AM Pacific standard time
const booked = new Date(Date.now() - 30 * 24 * 3600 * 1000);
booked.setUTCMonth(0, 15);
booked.setUTCHours(18, 15, 0, 0);
if (booked > new Date(Date.now() - 3 * 3600 * 1000)) booked.setUTCFullYear(booked.getUTCFullYear() - 1);
const bookedAt = booked.toISOString().replace(/\.\d+Z$/, 'Z');
const booking = (number, id, last, first) => JSON.stringify({
  booking_number: number, booked_at: bookedAt, facility: 'North County Correctional Facility', housing: 'H1',
  arresting_agency: 'Example City Police Department',
  person: { person_id: id, last_name: last, first_name: first, middle_name: 'MARÍA', dob: '1980-01-01' },
  charges: [
    { code: 'PC 459', description: 'Burglary', level: 'felony', status: 'pending', bail_cents: 5000000, next_court_date: '2031-03-09' },
    { code: 'VC 23152(a)', description: 'Driving under the influence', level: 'misdemeanor', status: 'pending', bail_cents: 500000 },
  ],
  scheduled_release: '2031-05-05', release_date_public: true,
});
writeFileSync(join(T, 'county.jsonl'), [
  booking('9990001', 'P1', 'GARCÍA', 'ANA'),
  booking('9990002', 'P2', 'GARCIA', 'LUIS'),
  booking('9990003', 'P3', 'GARCIA-LÓPEZ', 'ROSA'),
  booking('9990004', 'P4', 'GARDNER', 'JOHN'),
  booking('9990005', 'P5', 'GARZA', 'ELENA'),
  booking('9990006', 'P6', 'NGUYỄN', 'VAN'),
].join('\n') + '\n');
run('init');
run('import', join(T, 'county.jsonl'));

process.on('exit', () => rmSync(T, { recursive: true, force: true }));
let server;
let context;
let checks = 0;
try {
  server = await startServer(bin, ['--config', join(T, 'county.ini'), 'serve'], env, T);
  const base = server.base;
  context = await launchChromium(T);
  const page = await context.newPage();

  async function audit(name) {
    checks += await auditPage(page, name, artifacts);
  }

  async function search(last) {
    await page.goto(`${base}/locator`);
    await page.getByLabel('Last name').fill(last);
    await Promise.all([page.waitForURL(/last_name=/), page.getByRole('button', { name: 'Search' }).click()]);
  }

  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    // the agency: title, header, seal, banner, footer, visiting and bail
    await page.goto(`${base}/locator`);
    assert.equal(await page.title(), `Inmate locator | ${agency}`);
    assert.match(await page.locator('header.usa-header').innerText(), /Example County Sheriff's Department/);
    const sealOk = await page.locator('img.agency-seal').evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(sealOk, 'the seal loads');
    assert.match(await page.locator('.usa-banner').innerText(), /An official website of Example County Sheriff's Department/);
    const footer = await page.locator('footer').innerText();
    for (const want of [agency, '100 Civic Center Plaza', '(555) 010-0100', 'inmate.info@sheriff.example.gov'])
      assert.ok(footer.includes(want), `footer names ${want}`);
    assert.equal(await page.locator('footer a[href="tel:5550100100"]').count(), 1);
    assert.match(await page.locator('#visiting + p').innerText(), /Saturdays and Sundays from 8:00 a\.m\. to 4:00 p\.m\. Bring a government-issued photo ID\./);
    assert.match(await page.locator('#bail + p').innerText(), /24 hours a day/);
    checks += 8;
    await audit(`locator-county-${width}`);

    // more matches than the cap: an honest count
    await search('gar');
    assert.equal(await page.locator('h2#results').innerText(), 'Showing 3 of 5 people found');
    assert.equal(await page.locator('table tbody tr').count(), 3);
    const cells = await page.locator('table tbody tr').first().locator('td').allInnerTexts();
    const text = await page.locator('table').innerText();
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/, 'no ISO dates');
    assert.match(text, /January 15, \d{4} at 10:15\sAM PST/, 'booked in words, Pacific time');
    assert.match(text, /March 9, 2031/, 'next court date in words');
    assert.match(text, /May 5, 2031/, 'release date in words');
    assert.match(text, /\$55,000\.00/, 'bail summed in dollars');
    assert.ok(cells.length === 8, 'a row has its cells');
    checks += 8;
    if (width === 400) {
      // labelled cards: every cell shows its column's name, nothing scrolls sideways
      const labels = await page.locator('table tbody tr').first().locator('td').evaluateAll((tds) =>
        tds.map((td) => getComputedStyle(td, '::before').content));
      assert.deepEqual(labels, ['"Booking number"', '"Booked"', '"Facility"', '"Arresting agency"', '"Charges"',
        '"Bail"', '"Next court date"', '"Release date"']);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 400, `the page fits 400 px (scrollWidth ${wide})`);
      checks += 2;
    }
    await audit(`locator-results-${width}`);

    // nobody: advice and the agency's phone
    await search('Zzyzx');
    assert.equal(await page.locator('h2#results').innerText(), '0 people found');
    const advice = await page.locator('.usa-alert').innerText();
    assert.match(advice, /No one in custody matches this search/);
    assert.match(advice, /first 3 letters/);
    assert.match(advice, /Call Example County Sheriff's Department at \(555\) 010-0100/);
    checks += 3;
    await audit(`locator-empty-${width}`);
  }

  // the API says the same count
  const api = await (await fetch(`${base}/api/v1/public/inmates?last_name=gar`)).json();
  assert.deepEqual([api.count, api.total, api.truncated], [3, 5, true]);
  checks++;
  console.log(`PASS: locator_county.mjs (${checks} checks)`);
} catch (e) {
  console.error(e);
  if (server?.stderr()) console.error(`server stderr: ${server.stderr()}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  if (server) await server.stop();
}
