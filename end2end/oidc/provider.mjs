// A real OpenID Connect provider (npm `oidc-provider`, OpenID Certified) for the login
// tests: Playwright starts it on 127.0.0.1:3918 and the Plumbline server under test in OIDC
// mode talks to it like to any other identity provider. Not for anything but tests: any
// password is accepted.
//
//   node oidc/provider.mjs
//
// The login name typed into its sign-in form decides the user (see USERS); the `groups`
// claim is what Plumbline maps to roles (PLUMBLINE_ROLE_GROUPS) and teams
// (PLUMBLINE_TEAM_GROUP_PREFIX). Keep the constants below in step with
// tests/fixtures/oidc.ts.
import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';

import { Provider, errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = 3918;
const ISSUER = `http://${HOST}:${PORT}`;

const CLIENT_ID = 'plumbline-e2e';
const CLIENT_SECRET = 'e2e-secret-not-for-production';
const REDIRECT_URI = 'http://127.0.0.1:3919/auth/callback';

/** Short on purpose: the login spec waits past it to test an expired code. */
const AUTHORIZATION_CODE_TTL_SECONDS = 10;

/** Known login names; any other name signs in as a user without groups. */
const USERS = {
  'admin-alice': { name: 'Alice Admin', groups: ['plumbline-admins'] },
  'editor-eve': { name: 'Eve Editor', groups: ['sre', 'team:payments'] },
  'viewer-victor': { name: 'Victor Viewer', groups: ['staff'] },
  'auditor-ada': { name: 'Ada Auditor', groups: ['auditors'] },
};

function account(login) {
  const known = USERS[login];
  const name = known?.name ?? login;
  const [givenName, ...rest] = name.split(' ');
  const claims = {
    sub: login,
    name,
    given_name: givenName,
    family_name: rest.length ? rest.join(' ') : undefined,
    preferred_username: login,
    email: `${login}@example.test`,
    // Logins starting with `unverified-` have an address the provider has not verified.
    email_verified: !login.startsWith('unverified-'),
    groups: known ? [...known.groups] : [],
  };
  return {
    accountId: login,
    // Called for the ID token and for userinfo; the provider keeps only the claims the
    // granted scopes release (see `claims` below).
    async claims(_use, _scope, _claims, _rejected) {
      return claims;
    },
  };
}

// A fresh signing key at each start (and at each rotation, below): the server under test reads
// it from jwks_uri.
function newSigningKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

const configuration = (signingKey) => ({
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      // oidc-provider accepts client_secret_post from a client registered with
      // client_secret_basic (and the other way round): both are "secret" methods.
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
    },
  ],
  responseTypes: ['code'],
  pkce: {
    // Every authorization request must carry an S256 code_challenge (the only method
    // oidc-provider 9 supports); the token request must carry the matching verifier.
    required: () => true,
  },
  // Scope → claims it releases. `groups` is listed under `openid` so it is released whenever
  // `openid` is requested (Plumbline asks for `openid profile email`); a `groups` scope is
  // declared as well in case a client asks for it.
  claims: {
    openid: ['sub', 'groups'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // With the default (true) and an access token issued next to the ID token, oidc-provider
  // puts only the `openid` scope's claims into the ID token and leaves the rest to userinfo.
  // Plumbline reads name, email and groups from the ID token, so put them all there.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) => account(id),
  // First-party client: skip the consent screen by granting whatever OIDC scopes and claims
  // it asks for. (The login form is still shown: there is no session until someone signs in.)
  loadExistingGrant: async (ctx) => {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (client.clientId !== CLIENT_ID) return grant;
    grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  features: {
    // Real HTML login ("Enter any login", "and password", "Sign-in") and consent
    // ("Continue") forms.
    devInteractions: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: {
    AuthorizationCode: AUTHORIZATION_CODE_TTL_SECONDS,
    AccessToken: 60 * 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    Session: 24 * 60 * 60,
    Grant: 24 * 60 * 60,
  },
  // Cookies are shared by every port of 127.0.0.1, so give the provider's names that cannot
  // collide with the Plumbline server's.
  cookies: {
    names: {
      session: 'e2e_op_session',
      interaction: 'e2e_op_interaction',
      resume: 'e2e_op_interaction_resume',
    },
    keys: ['plumbline-e2e-cookie-key-not-secret'],
  },
  jwks: { keys: [signingKey] },
  clientBasedCORS: () => false,
  renderError: async (ctx, out, _error) => {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>OIDC provider error</title><h1>OIDC provider error</h1>
<pre>${Object.entries(out)
      .map(([key, value]) => `${key}: ${String(value).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}`)
      .join('\n')}</pre>`;
  },
});

function newProvider(kid) {
  const provider = new Provider(ISSUER, configuration(newSigningKey(kid)));
  // One line per refused request, so a failing login test shows why the provider said no.
  for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'server_error']) {
    provider.on(event, (_ctx, error) => {
      const detail = error instanceof errors.OIDCProviderError
        ? [error.error_description, error.error_detail].filter(Boolean).join(': ')
        : error?.stack ?? '';
      console.log(`oidc provider ${event}: ${error?.message ?? error} ${detail}`.trim());
    });
  }
  provider.on('grant.success', (ctx) => {
    console.log(`oidc provider issued tokens to ${ctx.oidc.client?.clientId} for ${ctx.oidc.entities.Account?.accountId ?? '?'}`);
  });
  return provider.callback();
}

// `POST /__test/rotate-signing-key` replaces the provider with one signing with a new key (and
// publishing only that one), as an identity provider rotating its keys does.
let rotations = 0;
let handle = newProvider('e2e-rs256-0');
const server = http.createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/__test/rotate-signing-key') {
    rotations += 1;
    handle = newProvider(`e2e-rs256-${rotations}`);
    console.log(`oidc provider now signs with key e2e-rs256-${rotations}`);
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`e2e-rs256-${rotations}\n`);
    return;
  }
  handle(request, response);
});
server.on('error', (error) => {
  console.error(`oidc provider could not listen on ${HOST}:${PORT}: ${error.message}`);
  process.exit(1);
});
server.listen(PORT, HOST, () => {
  console.log(`oidc provider listening on ${ISSUER}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
