import { expect, test, type Page } from '@playwright/test';
import { AppHeader } from './fixtures/app-header';
import {
  CLIENT_ID,
  CODE_TTL_SECONDS,
  holdCallback,
  isCallbackUrl,
  PROVIDER_ORIGIN,
  ProviderLoginPage,
  providerMetadata,
  redirectTarget,
  ROLES,
  USERS,
  type TestUser,
} from './fixtures/oidc-provider';
import {
  expectSignedOut,
  me,
  SignedOutPage,
  SignInFailedPage,
  signIn,
  startSignIn,
} from './fixtures/session';

// Runs against a Plumbline server in OIDC mode (127.0.0.1:3919) and the test provider
// (oidc/provider.mjs, 127.0.0.1:3918); see playwright.config.ts. Each test has a fresh
// browser context, so it starts signed out of both.

async function expectSignedInAs(page: Page, user: TestUser): Promise<void> {
  const currentUser = new AppHeader(page).currentUser;
  await expect(currentUser).toContainText(user.name);
  await expect(currentUser).toContainText(new RegExp(`\\b${user.role}\\b`));
  for (const other of ROLES.filter((role) => role !== user.role)) {
    await expect(currentUser).not.toContainText(new RegExp(`\\b${other}\\b`));
  }

  const response = await me(page);
  expect(response.status(), await response.text()).toBe(200);
  const body = await response.json();
  expect(body).toMatchObject({ name: user.name, email: `${user.login}@example.test`, mode: 'oidc' });
  expect(body.roles).toContain(user.role);
  for (const other of ROLES.filter((role) => role !== user.role)) {
    expect(body.roles).not.toContain(other);
  }
  expect([...body.teams].sort()).toEqual([...user.teams].sort());
}

/**
 * A value of the same shape as `value` that is not `value` (the first character changes: in
 * base64url the last one may carry padding bits only).
 */
function tamper(value: string): string {
  return (value.startsWith('A') ? 'B' : 'A') + value.slice(1);
}

test('an admin signs in through the provider, sees who they are, and signs out', async ({ page }) => {
  await expectSignedOut(page);
  await signIn(page, USERS.alice.login);
  await expectSignedInAs(page, USERS.alice);

  const header = new AppHeader(page);
  const landed = await header.signOut();
  expect(landed.status(), `signed-out page ${landed.url()}`).toBe(200);
  const signedOut = new SignedOutPage(page);
  await expect(signedOut.message).toBeVisible();
  await expect(signedOut.signInLink).toBeVisible();
  await expect(header.currentUser).toHaveCount(0);
  await expectSignedOut(page);

  // Signed out, the overview sends the browser to sign in, and that to the provider. (The
  // provider still has its own session, so in a browser it would sign Alice straight back in.)
  const home = await page.request.get('/', { maxRedirects: 0, headers: { accept: 'text/html' } });
  expect(home.status(), 'anonymous GET /').toBe(303);
  const login = redirectTarget(home);
  expect(login.pathname).toBe('/auth/login');
  expect(login.searchParams.get('return_to')).toBe('/');
  const toProvider = await page.request.get(login.href, { maxRedirects: 0, headers: { accept: 'text/html' } });
  expect(toProvider.status(), 'GET /auth/login').toBe(303);
  const authorize = redirectTarget(toProvider);
  const { authorization_endpoint } = await providerMetadata(page);
  expect(authorize.origin + authorize.pathname).toBe(authorization_endpoint);
});

test('a session cookie kept from before signing out no longer works', async ({ page, context }) => {
  await signIn(page, USERS.alice.login);
  const cookies = await context.cookies();
  expect((await me(page)).status()).toBe(200);

  const landed = await new AppHeader(page).signOut();
  expect(landed.status()).toBe(200);
  // Put back every cookie the browser had while signed in: signing out must end the session
  // on the server, not only in the browser.
  await context.addCookies(cookies);
  await expectSignedOut(page);
});

test('the authorization request uses the code flow with PKCE, state and nonce', async ({ page }) => {
  const authorize = await startSignIn(page);
  const params = authorize.searchParams;
  expect(params.get('client_id')).toBe(CLIENT_ID);
  expect(params.get('response_type')).toBe('code');
  expect(params.get('redirect_uri')).toBe(new URL('/auth/callback', test.info().project.use.baseURL).href);
  expect(params.get('scope')?.split(' ')).toContain('openid');
  expect(params.get('code_challenge_method')).toBe('S256');
  expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(params.get('state')).toBeTruthy();
  expect(params.get('nonce')).toBeTruthy();

  // A second sign-in gets fresh values.
  const again = (await startSignIn(page)).searchParams;
  expect(again.get('state')).not.toBe(params.get('state'));
  expect(again.get('nonce')).not.toBe(params.get('nonce'));
  expect(again.get('code_challenge')).not.toBe(params.get('code_challenge'));
});

for (const user of [USERS.ada, USERS.victor, USERS.eve]) {
  test(`${user.login} signs in with role ${user.role}`, async ({ page }) => {
    await signIn(page, user.login);
    await expectSignedInAs(page, user);
  });
}

test('a callback let through in time signs in (the control for the held-callback tests)', async ({ page }) => {
  const held = await holdCallback(page);
  await page.goto('/auth/login?return_to=/');
  await new ProviderLoginPage(page).signIn(USERS.alice.login);
  const callback = await held.callback;
  await held.release();

  const response = await page.goto(callback.href);
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL('/');
  await expectSignedInAs(page, USERS.alice);
});

test('a callback with a tampered state is refused', async ({ page }) => {
  const held = await holdCallback(page);
  await page.goto('/auth/login?return_to=/');
  await new ProviderLoginPage(page).signIn(USERS.alice.login);
  const callback = await held.callback;
  await held.release();

  const state = callback.searchParams.get('state');
  expect(state).toBeTruthy();
  callback.searchParams.set('state', tamper(state!));
  const response = await page.goto(callback.href);
  expect(response?.status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('an ID token whose nonce does not match the sign-in is refused', async ({ page }) => {
  // Change the nonce in the authorization request before the provider sees it: the provider
  // then puts that nonce into the ID token, which the server must reject.
  const authorize = await startSignIn(page);
  const nonce = authorize.searchParams.get('nonce');
  expect(nonce).toBeTruthy();
  authorize.searchParams.set('nonce', tamper(nonce!));
  await page.goto(authorize.href);

  const callback = page.waitForResponse((response) => isCallbackUrl(response.url()));
  await new ProviderLoginPage(page).signIn(USERS.alice.login);
  expect((await callback).status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('a user whose email address the provider has not verified is refused', async ({ page }) => {
  const callback = page.waitForResponse((response) => isCallbackUrl(response.url()));
  await page.goto('/auth/login?return_to=/');
  await new ProviderLoginPage(page).signIn('unverified-uma');
  expect((await callback).status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('an authorization code the provider does not know is refused', async ({ page }) => {
  const held = await holdCallback(page);
  await page.goto('/auth/login?return_to=/');
  await new ProviderLoginPage(page).signIn(USERS.alice.login);
  const callback = await held.callback;
  await held.release();

  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();
  callback.searchParams.set('code', tamper(code!));
  const response = await page.goto(callback.href);
  expect(response?.status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('a callback visited again after signing out does not sign in', async ({ page }) => {
  const callback = await signIn(page, USERS.alice.login);
  const landed = await new AppHeader(page).signOut();
  expect(landed.status()).toBe(200);
  await expectSignedOut(page);

  const response = await page.goto(callback.href);
  expect(response?.status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('an authorization code used after it expired is refused', async ({ page }) => {
  test.setTimeout(60_000);
  const held = await holdCallback(page);
  await page.goto('/auth/login?return_to=/');
  await new ProviderLoginPage(page).signIn(USERS.alice.login);
  const callback = await held.callback;
  await held.release();

  await page.waitForTimeout((CODE_TTL_SECONDS + 2) * 1_000);
  const response = await page.goto(callback.href);
  expect(response?.status()).toBe(400);
  await new SignInFailedPage(page).expectShown();
  await expectSignedOut(page);
});

test('sign-ins, sign-outs and refused sign-ins are in the audit trail, each once, with who', async ({ page, browser }) => {
  await signIn(page, USERS.ada.login);
  const head = (await (await page.request.get('/api/v1/audit?limit=1')).json()).head.seq as number;

  const context = await browser.newContext();
  const other = await context.newPage();
  await signIn(other, USERS.victor.login);
  expect((await new AppHeader(other).signOut()).status()).toBe(200);
  // A callback this browser never started, carrying text for the trail: refused and only logged.
  const forged = '/auth/callback?error=%3Cscript%3Eforged%3C%2Fscript%3E&state=forged';
  expect((await other.goto(forged))?.status()).toBe(400);
  // A sign-in this browser did start (its binding cookie set here; the redirect names the
  // state), which the provider refuses: in the trail once.
  const login = await other.request.get('/auth/login?return_to=/', { maxRedirects: 0 });
  expect(login.status()).toBe(303);
  const started = new URL(login.headers()['location'] ?? '', PROVIDER_ORIGIN).searchParams.get('state');
  expect(started, 'the sign-in redirected to the provider with a state').toBeTruthy();
  const refused = `/auth/callback?error=access_denied&state=${encodeURIComponent(started ?? '')}`;
  expect((await other.goto(refused))?.status()).toBe(400);
  await context.close();

  const events = (await (await page.request.get(`/api/v1/audit?after=${head}`)).json()).items as {
    action: string;
    actor: string;
  }[];
  const of = (action: string) => events.filter((e) => e.action === action);
  expect(of('auth.login').map((e) => e.actor)).toEqual([expect.stringMatching(/^user:\d+:viewer-victor@example\.test$/)]);
  expect(of('auth.logout').map((e) => e.actor)).toEqual([expect.stringMatching(/^user:\d+:viewer-victor@example\.test$/)]);
  const failed = of('auth.login_failed') as { actor: string; details?: { reason?: string } }[];
  expect(failed.map((e) => [e.actor, e.details?.reason])).toEqual([
    ['anonymous', 'the identity provider answered: access_denied'],
  ]);
});

test('after the provider rotates its signing key, signing in still works', async ({ page, browser }) => {
  // Plumbline knows the provider's current key from an earlier sign-in.
  await signIn(page, USERS.alice.login);
  await expectSignedInAs(page, USERS.alice);

  // The provider now signs with a new key and publishes only that one.
  const rotated = await page.request.post(`${PROVIDER_ORIGIN}/__test/rotate-signing-key`);
  expect(rotated.status()).toBe(200);
  const { jwks_uri } = await providerMetadata(page);
  const keys = (await (await page.request.get(jwks_uri)).json()).keys as { kid: string }[];
  expect(keys.map((k) => k.kid)).toEqual([(await rotated.text()).trim()]);

  // A new sign-in carries an ID token signed with the key Plumbline has not seen: it fetches
  // the provider's keys again and lets the user in.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await signIn(fresh, USERS.eve.login);
  await expectSignedInAs(fresh, USERS.eve);
  await context.close();
});
