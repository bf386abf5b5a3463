// openapi.mjs - docs/openapi.yaml is a valid OpenAPI document (checked with
// @seriousme/openapi-schema-validator) and documents exactly the API routes the server has
// (`custodian serve --print-routes`), each with the role-matrix action that guards it.
import { Validator } from '@seriousme/openapi-schema-validator';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import assert from 'node:assert/strict';

const src = process.env.CUST_SOURCE_DIR;
const bin = process.env.CUSTODIAN;
assert.ok(src && bin, 'CUST_SOURCE_DIR and CUSTODIAN must be set');
const file = `${src}/docs/openapi.yaml`;

const validator = new Validator();
const res = await validator.validate(readFileSync(file, 'utf8'));
if (!res.valid) {
  console.error(JSON.stringify(res.errors, null, 2));
  assert.fail('docs/openapi.yaml is not a valid OpenAPI document');
}
let checks = 1;

const doc = parse(readFileSync(file, 'utf8'));
const documented = new Map();
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[method]) documented.set(`${method.toUpperCase()} ${path}`, item[method]);
  }
}

const served = new Map();
for (const line of execFileSync(bin, ['serve', '--print-routes'], { encoding: 'utf8' }).split('\n')) {
  const [method, pattern, guard] = line.split(' ');
  if (!pattern || !(pattern.startsWith('/api/') || pattern === '/healthz')) continue;
  served.set(`${method} ${pattern}`, guard);
}
assert.ok(served.size >= 20, `only ${served.size} API routes served`);

const missing = [...served.keys()].filter((k) => !documented.has(k));
const extra = [...documented.keys()].filter((k) => !served.has(k));
assert.deepEqual(missing, [], `served but not documented: ${missing.join(', ')}`);
assert.deepEqual(extra, [], `documented but not served: ${extra.join(', ')}`);
checks += 2;

for (const [key, guard] of served) {
  const op = documented.get(key);
  if (guard === 'public') {
    assert.deepEqual(op.security, [], `${key} is public: security: [] expected`);
  } else {
    assert.equal(op['x-custodian-action'], guard, `${key}: x-custodian-action`);
  }
  checks++;
}
console.log(`PASS: openapi (${checks} checks, ${served.size} routes)`);
