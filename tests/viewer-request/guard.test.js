// The CloudFront Function ViewerRequestGuard, as template.yaml ships it, run
// against every path of hostile-paths.json: each `refused` path answers 400,
// each `allowed` path comes back as the same, unchanged request.
// Node's own test runner, no packages: `node --test tests/viewer-request/`.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const vm = require('node:vm');

const root = path.join(__dirname, '..', '..');
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'hostile-paths.json'), 'utf8'));

// The `FunctionCode: |` block scalar of the ViewerRequestGuard resource: the
// lines after it that are blank or indented deeper than the key, dedented by
// the first line's indentation (as YAML reads a literal block).
function guardCode() {
  const lines = fs.readFileSync(path.join(root, 'template.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^ {2}ViewerRequestGuard:\s*$/.test(line));
  assert.notEqual(start, -1, 'template.yaml has no ViewerRequestGuard resource');
  let key = -1;
  for (let i = start + 1; i < lines.length && !/^ {2}\S/.test(lines[i]); i++) {
    if (/^\s+FunctionCode: \|\s*$/.test(lines[i])) { key = i; break; }
  }
  assert.notEqual(key, -1, 'ViewerRequestGuard has no `FunctionCode: |` block');
  const keyIndent = lines[key].search(/\S/);
  const block = [];
  for (let i = key + 1; i < lines.length; i++) {
    if (lines[i].trim() !== '' && lines[i].search(/\S/) <= keyIndent) break;
    block.push(lines[i]);
  }
  const indent = block.find((line) => line.trim() !== '').search(/\S/);
  return block.map((line) => line.slice(indent)).join('\n').trimEnd() + '\n';
}

// The code in a context of its own, as CloudFront runs it: no require, no
// process; its last expression hands back the handler.
const handler = vm.runInNewContext(`${guardCode()}\n;handler`, {}, { filename: 'ViewerRequestGuard.js' });

function viewerRequest(uri) {
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'test' },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: 'GET',
      uri,
      querystring: { Expires: { value: '2000000000' }, Signature: { value: 'abc' }, 'Key-Pair-Id': { value: 'K2JCJMDEHXQW5F' } },
      headers: { host: { value: 'd111111abcdef8.cloudfront.net' } },
      cookies: {},
    },
  };
}

test('the fixture has paths to refuse and paths to allow', () => {
  assert.ok(fixture.refused.length > 0, 'no refused paths');
  assert.ok(fixture.allowed.length > 0, 'no allowed paths');
  assert.equal(typeof handler, 'function');
});

for (const { uri, why } of fixture.refused) {
  test(`refuses ${JSON.stringify(uri)} (${why})`, () => {
    const answer = handler(viewerRequest(uri));
    // Built inside the function's context, so compared field by field.
    assert.equal(answer.statusCode, 400);
    assert.equal(answer.statusDescription, 'Bad Request');
    assert.equal(answer.uri, undefined, 'a response, not a request');
  });
}

for (const { uri, why } of fixture.allowed) {
  test(`passes ${JSON.stringify(uri)} on unchanged (${why})`, () => {
    const event = viewerRequest(uri);
    const before = structuredClone(event.request);
    const answer = handler(event);
    assert.equal(answer, event.request, 'the request itself comes back');
    assert.deepEqual(answer, before);
  });
}
