// A real OpenID Connect provider (the certified `oidc-provider` package) for the sign-in tests, on
// loopback. Static clients, accounts with groups and `amr`, and a login page the test submits like a
// browser: POST /interaction/<uid> with `login=<account>`. Consent is granted to the district's own
// client, as a district's provider does for its own applications.
//
// What the tests change between runs, through POST /__test/state (JSON), stands for what changes at a
// real provider: an account's groups (an administrator removed someone from a group), the provider's
// clock (a token that arrives expired), a token issued for another application (wrong audience), and a
// token carrying another sign-in's nonce.
//
// Environment: PORT (0: any free port), REDIRECT_URI (Bright Line's callback), CLIENT_SECRET.
// Prints one line `listening <issuer>` when ready.
import http from 'node:http';
import Provider from 'oidc-provider';

const redirectUri = process.env.REDIRECT_URI;
const clientSecret = process.env.CLIENT_SECRET || 'bright-line-test-secret-0123456789abcdef';
if (!redirectUri) {
  console.error('REDIRECT_URI is required');
  process.exit(2);
}

const realNow = Date.now;
const state = {
  clockOffsetSeconds: 0,
  audience: null, // a client id: the next ID tokens are issued for that client instead
  nonce: null, // a nonce: the next ID tokens carry it instead of the one Bright Line sent
  accounts: {
    'ada.admin': {
      claims: {
        preferred_username: 'ada', given_name: 'Ada', family_name: 'Byron', email: 'ada@district.example',
        groups: ['bl-admins', 'all-staff'],
      },
      amr: ['pwd', 'mfa'], acr: 'urn:district:mfa',
    },
    'rita.records': {
      claims: {
        preferred_username: 'rita', given_name: 'Rita', family_name: 'Moreno', email: 'rita@district.example',
        groups: ['records-office', 'all-staff'],
      },
      amr: ['pwd'], acr: 'urn:district:pwd',
    },
  },
};
Date.now = () => realNow() + state.clockOffsetSeconds * 1000;

const port = Number(process.env.PORT || 0);
const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bright-line',
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'another-application',
      client_secret: 'another-application-secret-0123456789abcdef',
      redirect_uris: ['http://127.0.0.1/another-application/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    // How the person signed in, in every ID token (as Entra ID sends amr and acr).
    openid: ['sub', 'acr', 'amr'],
    profile: ['preferred_username', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The scopes' claims in the ID token itself, as Entra ID and Google put them there.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
  async findAccount(ctx, id) {
    const account = state.accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
});

const originalIssue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function issue(options = {}) {
  if (state.audience && options.use === 'idtoken') {
    this.client = await provider.Client.find(state.audience);
  }
  if (state.nonce && options.use === 'idtoken') {
    this.extra.nonce = state.nonce; // an ID token minted for another sign-in, replayed into this one
  }
  return originalIssue.call(this, options);
};

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test/state' && req.method === 'POST') {
      const change = JSON.parse(await body(req));
      if ('clockOffsetSeconds' in change) state.clockOffsetSeconds = change.clockOffsetSeconds;
      if ('audience' in change) state.audience = change.audience;
      if ('nonce' in change) state.nonce = change.nonce;
      for (const [id, groups] of Object.entries(change.groups || {})) state.accounts[id].claims.groups = groups;
      res.writeHead(204).end();
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([\w-]+)$/);
    if (match && req.method === 'GET') {
      await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo District Sign-In</title></head>'
        + '<body><main><h1>Demo District Sign-In</h1>'
        + `<form method="post" action="/interaction/${match[1]}">`
        + '<label for="login">Account</label> <input id="login" name="login" autocomplete="username"> '
        + '<button type="submit">Sign in</button></form></main></body></html>',
      );
      return;
    }
    if (match && req.method === 'POST') {
      const login = new URLSearchParams(await body(req)).get('login');
      const account = state.accounts[login];
      const result = account
        ? { login: { accountId: login, amr: account.amr, acr: account.acr } }
        : { error: 'access_denied', error_description: 'unknown account' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) res.writeHead(500).end(String(error));
  }
});

console.log(`listening ${issuer}`);
