// A real OpenID Connect provider for the tests (npm `oidc-provider`, a certified implementation),
// with one client and any user you name.
//
//   node end2end/oidc-provider/server.mjs --port 4100 --redirect http://127.0.0.1:3100/auth/oidc/test/callback
//     [--client-id smartai-test] [--client-secret test-secret] [--code-ttl 60]
//
// Users: the login name is the account. "ada" is ada@example.test with a verified address;
// "sub;email;verified;name" sets each claim ("u1;ada@example.test;false;Ada").
// A test with no human passes the login name as `login_hint`: the login then finishes at once.
// Otherwise a small form asks for it (Playwright fills it in).
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', '4100'));
const redirects = arg('redirect', 'http://127.0.0.1:3100/auth/oidc/test/callback').split(',');
const clientId = arg('client-id', 'smartai-test');
const clientSecret = arg('client-secret', 'test-secret');
const codeTtl = Number(arg('code-ttl', '60'));
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

// The claims of each user seen, by subject (the provider's account id is the subject).
const accounts = new Map();

function account(login) {
  const [sub, email, verified, name] = String(login).split(';');
  return {
    sub,
    email: email || `${sub}@example.test`,
    email_verified: verified === undefined ? true : verified === 'true',
    name: name || sub,
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirects,
      post_logout_redirect_uris: redirects.map((r) => new URL('/', r).toString()),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { AuthorizationCode: codeTtl },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const claims = accounts.get(id) ?? account(id);
    return { accountId: id, claims: async () => claims };
  },
  // Every grant is approved: no consent screen.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) {
      const grant = await Grant.find(existing);
      if (grant) return grant;
    }
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function interaction(req, res, uid) {
  try {
    const details = await provider.interactionDetails(req, res);
    let login = details.params.login_hint;
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      login = new URLSearchParams(body).get('login');
    }
    if (login) {
      const claims = account(login);
      accounts.set(claims.sub, claims);
      const result = { login: { accountId: claims.sub } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Test provider</title></head><body><main>
<h1>Test provider: sign in</h1>
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Login</label> <input id="login" name="login" autofocus>
<button type="submit">Continue</button></form></main></body></html>`);
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${err.message}`);
  }
}

const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  const match = /^\/interaction\/([^/?]+)/.exec(req.url);
  if (match) return interaction(req, res, match[1]);
  return callback(req, res);
}).listen(port, '127.0.0.1', () => console.log(`oidc test provider at ${issuer}`));
