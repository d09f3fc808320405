// Walks the test provider (oidc/provider.mjs, already running) through the authorization
// code flow with PKCE the way a relying party and a browser would, without Playwright or
// Plumbline, and checks what comes back. A debugging aid for the login tests:
//
//   node oidc/provider.mjs &   node oidc/walk-flow.mjs [login] [--slow]
//
// --slow also checks that a code used after its 10 s lifetime is refused.
import * as crypto from 'node:crypto';
import { strict as assert } from 'node:assert';

const ISSUER = 'http://127.0.0.1:3918';
const CLIENT_ID = 'plumbline-e2e';
const CLIENT_SECRET = 'e2e-secret-not-for-production';
const REDIRECT_URI = 'http://127.0.0.1:3919/auth/callback';

const args = process.argv.slice(2);
const slow = args.includes('--slow');
const login = args.find((a) => !a.startsWith('--')) ?? 'admin-alice';

const random = () => crypto.randomBytes(32).toString('base64url');

/** A browser: a cookie jar (the provider's cookie names are unique, so paths are ignored). */
const jar = new Map();
async function browse(url, init = {}) {
  const headers = new Headers(init.headers);
  if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
    if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return response;
}
function location(response) {
  assert.ok([302, 303].includes(response.status), `expected a redirect, got ${response.status}`);
  return new URL(response.headers.get('location'), ISSUER);
}

const discovery = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();
assert.equal(discovery.issuer, ISSUER);
console.log(`discovery: authorization ${discovery.authorization_endpoint}, token ${discovery.token_endpoint}`);

/** Signs in through the login form; returns the callback URL and what the RP must keep. */
async function authorize({ pkce = true } = {}) {
  const state = random();
  const nonce = random();
  const verifier = random();
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email',
    state,
    nonce,
    ...(pkce
      ? { code_challenge: crypto.hash('sha256', verifier, 'base64url'), code_challenge_method: 'S256' }
      : {}),
  }).toString();

  let next = location(await browse(url));
  if (next.origin + next.pathname === REDIRECT_URI) return { callback: next, state, nonce, verifier };
  for (let step = 0; step < 4; step++) {
    assert.match(next.pathname, /^\/interaction\//, `expected an interaction, got ${next}`);
    const page = await browse(next);
    assert.equal(page.status, 200);
    const html = await page.text();
    const action = new URL(html.match(/<form[^>]*action="([^"]+)"/)[1], ISSUER);
    const prompt = html.match(/name="prompt" value="(\w+)"/)[1];
    console.log(`interaction: ${prompt} form at ${action.pathname}`);
    const form = prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt };
    const resume = location(await browse(action, { method: 'POST', body: new URLSearchParams(form) }));
    next = location(await browse(resume));
    if (next.origin + next.pathname === REDIRECT_URI) return { callback: next, state, nonce, verifier, prompts: step + 1 };
  }
  throw new Error('no redirect back to the client');
}

async function token(code, verifier, { post = false } = {}) {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
  if (verifier) body.set('code_verifier', verifier);
  const headers = {};
  if (post) {
    body.set('client_id', CLIENT_ID);
    body.set('client_secret', CLIENT_SECRET);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  }
  const response = await fetch(discovery.token_endpoint, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

async function verifyIdToken(idToken) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `no key ${header.kid} in jwks`);
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  assert.ok(ok, 'ID token signature does not verify');
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url')) };
}

// 1. The full flow, client_secret_basic.
const first = await authorize();
console.log(`callback: ${first.callback}`);
assert.equal(first.callback.searchParams.get('state'), first.state);
assert.equal(first.callback.searchParams.get('iss'), ISSUER);
assert.equal(first.prompts, 1, 'only the login form should be shown (consent is skipped)');
const code = first.callback.searchParams.get('code');
const tokens = await token(code, first.verifier);
assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
const { header, claims } = await verifyIdToken(tokens.body.id_token);
console.log(`id token header: ${JSON.stringify(header)}`);
console.log(`id token claims: ${JSON.stringify(claims)}`);
assert.equal(header.alg, 'RS256');
assert.equal(claims.iss, ISSUER);
assert.equal(claims.aud, CLIENT_ID);
assert.equal(claims.nonce, first.nonce);
assert.equal(claims.sub, login);
assert.equal(claims.email, `${login}@example.test`);
assert.ok(Array.isArray(claims.groups), 'groups claim missing from the ID token');
const userinfo = await (await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.body.access_token}` } })).json();
console.log(`userinfo: ${JSON.stringify(userinfo)}`);

// 2. The same code again is refused.
const replay = await token(code, first.verifier);
console.log(`replayed code: ${replay.status} ${JSON.stringify(replay.body)}`);
assert.equal(replay.status, 400);
assert.equal(replay.body.error, 'invalid_grant');

// 3. With the provider session alive, a second authorization returns at once (no form);
//    a wrong verifier is refused; client_secret_post is accepted.
const second = await authorize();
assert.equal(second.prompts, undefined, 'a live provider session should skip the login form');
const wrong = await token(second.callback.searchParams.get('code'), random());
console.log(`wrong code_verifier: ${wrong.status} ${JSON.stringify(wrong.body)}`);
assert.equal(wrong.body.error, 'invalid_grant');
const third = await authorize();
const viaPost = await token(third.callback.searchParams.get('code'), third.verifier, { post: true });
console.log(`client_secret_post: ${viaPost.status}`);
assert.equal(viaPost.status, 200);

// 4. No code_challenge: the provider answers the redirect URI with an error.
const noPkce = await authorize({ pkce: false });
console.log(`without PKCE: ${noPkce.callback.search}`);
assert.equal(noPkce.callback.searchParams.get('error'), 'invalid_request');

// 5. Optionally: a code used after its lifetime is refused.
if (slow) {
  const late = await authorize();
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  const expired = await token(late.callback.searchParams.get('code'), late.verifier);
  console.log(`code used after 12 s: ${expired.status} ${JSON.stringify(expired.body)}`);
  assert.equal(expired.body.error, 'invalid_grant');
}
console.log('all provider checks passed');
