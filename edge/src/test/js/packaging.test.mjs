// client.mjs as a user gets it: a saved copy and the npm package layout, each under a parent package.json that says
// "commonjs" (the trap that makes a .js ES module load as CommonJS). Imported for real, by a fresh module each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WEB = fileURLToPath(new URL('../../main/resources/io/meshgate/edge/web/', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(WEB, 'package.json'), 'utf8'));

/** A temporary folder whose package.json declares CommonJS; removed after the test. */
function commonJsFolder(t) {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'commonjs' }));
  return dir;
}

function assertClientModule(mod) {
  assert.equal(typeof mod.MeshgateClient, 'function');
  assert.equal(typeof mod.MeshgateError, 'function');
  const client = new mod.MeshgateClient({ urls: ['http://127.0.0.1:9'] });
  assert.equal(client.state, 'idle');
}

test('a saved client.mjs imports under a parent package.json that says commonjs', async (t) => {
  const dir = commonJsFolder(t);
  cpSync(join(WEB, 'client.mjs'), join(dir, 'client.mjs'));
  assertClientModule(await import(pathToFileURL(join(dir, 'client.mjs')).href));
});

test('the package layout resolves by name through its exports map, from ES modules and from CommonJS', async (t) => {
  const dir = commonJsFolder(t);
  const installed = join(dir, 'node_modules', ...PACKAGE.name.split('/'));
  mkdirSync(installed, { recursive: true });
  // Exactly what `npm pack` would ship: package.json and the files it lists.
  cpSync(join(WEB, 'package.json'), join(installed, 'package.json'));
  for (const file of PACKAGE.files) {
    cpSync(join(WEB, file), join(installed, file));
  }
  writeFileSync(join(dir, 'esm.mjs'), `export * from '${PACKAGE.name}';\n`);
  // A CommonJS consumer (this folder's .js files are CommonJS) reaches an ES module through import().
  writeFileSync(join(dir, 'cjs.js'), `module.exports = import('${PACKAGE.name}');\n`);
  assertClientModule(await import(pathToFileURL(join(dir, 'esm.mjs')).href));
  const viaCommonJs = (await import(pathToFileURL(join(dir, 'cjs.js')).href)).default;
  assertClientModule(await viaCommonJs);
});

test('the package declares what bundlers and Node need', () => {
  assert.equal(PACKAGE.type, 'module');
  assert.equal(PACKAGE.exports['.'].import, './client.mjs');
  assert.equal(PACKAGE.exports['.'].default, './client.mjs');
  assert.deepEqual(PACKAGE.files, ['client.mjs']);
  assert.equal(PACKAGE.engines.node, '>=18');
  assert.equal(PACKAGE.license, 'Apache-2.0');
});
