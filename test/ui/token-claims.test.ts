// Pages read which conference, role and site their link is for from the token
// itself, whichever way it was signed: a shared secret (body.mac, tests) or the
// control host's Ed25519 key (header.body.signature, the demo and deployments).
// The organizer app opens with an Ed25519-signed link.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { tokenClaims } from '../../client/ui/control-client.js';
import { generateKeyring, loadKeyring, signToken } from '../../signaling/token.js';
import { startUi, waitFor, DESKTOP, type UiEnv } from './harness.js';

const keys = generateKeyring('ui-ed25519');
let env: UiEnv;
beforeAll(async () => { env = await startUi('ed25519', { tokenKeys: keys.signing }); });
afterAll(async () => { await env?.close(); });

test('claims are read from HMAC and Ed25519 tokens alike', () => {
  const hmac = signToken('a-shared-secret-of-enough-length', { role: 'technician', conf: 'ls-135', site: 'ls' });
  const ed = signToken(loadKeyring(keys.signing), { role: 'technician', conf: 'ls-135', site: 'ls' });
  assert.equal(hmac.split('.').length, 2);
  assert.equal(ed.split('.').length, 3);
  for (const t of [hmac, ed]) assert.deepEqual({ ...tokenClaims(t), exp: 0 }, { role: 'technician', conf: 'ls-135', site: 'ls', exp: 0 });
});

test('the organizer app opens with a link signed by the control host\'s Ed25519 key', async () => {
  const token = signToken(loadKeyring(keys.signing), { role: 'organizer', conf: 'ls-135' });
  const page = await env.page(DESKTOP);
  await page.goto(env.link('organizer', token));
  await waitFor('the organizer app online', async () => (await page.locator('[data-connection=online]').count()) > 0, 20_000, 200);
  assert.equal(await page.getByText('Cần đường liên kết mời').count(), 0);
});
