// A real OpenID provider (panva's `oidc-provider`) for Portcullis's OIDC / JWKS tests.
//
//   node tests/idp/server.mjs
//
// Loopback only (127.0.0.1). Once it listens it prints exactly one line to stdout,
// `READY http://127.0.0.1:<port>`, and nothing else there: every log goes to stderr.
// The issuer is exactly `http://127.0.0.1:<port>` (no trailing slash).
//
// Configured by environment (all optional):
//
//   IDP_PORT           port to bind, default 0 (any free port)
//   IDP_KEYS_FILE      JSON file `{ "<kid>": <private RSA JWK>, ... }`; default
//                      `keys.json` in the OS temp dir. A kid of IDP_KIDS missing from
//                      it is generated (RSA 2048, RS256) and written back, so restarts
//                      with other IDP_KIDS keep the same keys.
//   IDP_KIDS           comma-separated kids to publish, in order; the FIRST signs new
//                      tokens. Default `k1`.
//   IDP_OMIT_ALG=1     the published JWKS has no `alg` on any key (signing is still RS256)
//   IDP_CLIENT_ID      default `portcullis-tests`
//   IDP_CLIENT_SECRET  default `portcullis-tests-secret-0123456789`
//   IDP_SCOPES         the client's (and the resource server's) scopes, default
//                      `api:read api:write`
//   IDP_AUDIENCE       the one resource indicator accepted (must be an absolute URI),
//                      default `https://api.portcullis.test`; a client-credentials
//                      request with `resource=<it>` gets a JWT access token (RFC 9068)
//                      whose `aud` is it; without `resource` the token is opaque.
//   IDP_EXTRA_CLAIMS   JSON object added to every access token (JWT claims, and the
//                      introspection answer of opaque ones); default
//                      {"roles":["admin"],"permissions":["users:read"],"preferred_username":"service-bot"}
//   IDP_TOKEN_TTL      access-token lifetime in seconds, default 600
//   IDP_EXIT_ON_STDIN_EOF=1  exit when stdin closes (the Rust harness sets it, so that a
//                      killed test binary does not leave the provider running)
//
// Test endpoints beside the provider:
//   GET  /test/hits   {"discovery":n,"jwks":n,"token":n,"introspection":n,"revocation":n,"other":n}
//                     requests that reached the process, failed ones included
//   POST /test/reset  zeroes them
//
// Exits 0 on SIGTERM / SIGINT.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

// Only the READY line goes to stdout: oidc-provider prints notices with console.info.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const env = process.env;

function fail(message) {
  console.error(`idp: ${message}`);
  process.exit(2);
}

function integer(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

const PORT = integer('IDP_PORT', 0);
const TOKEN_TTL = integer('IDP_TOKEN_TTL', 600);
if (TOKEN_TTL < 1) fail('IDP_TOKEN_TTL must be at least 1');
const KEYS_FILE = env.IDP_KEYS_FILE || path.join(os.tmpdir(), 'portcullis-idp-keys.json');
const KIDS = (env.IDP_KIDS || 'k1').split(',').map((kid) => kid.trim()).filter(Boolean);
if (!KIDS.length) fail('IDP_KIDS names no kid');
if (new Set(KIDS).size !== KIDS.length) fail(`IDP_KIDS has a duplicate kid: ${env.IDP_KIDS}`);
const OMIT_ALG = env.IDP_OMIT_ALG === '1' || env.IDP_OMIT_ALG === 'true';
const CLIENT_ID = env.IDP_CLIENT_ID || 'portcullis-tests';
const CLIENT_SECRET = env.IDP_CLIENT_SECRET || 'portcullis-tests-secret-0123456789';
const SCOPES = (env.IDP_SCOPES || 'api:read api:write').split(/\s+/).filter(Boolean);
const AUDIENCE = env.IDP_AUDIENCE || 'https://api.portcullis.test';
if (!URL.parse(AUDIENCE)) fail(`IDP_AUDIENCE must be an absolute URI (oidc-provider's rule for resource indicators), got ${JSON.stringify(AUDIENCE)}`);
let EXTRA_CLAIMS;
try {
  EXTRA_CLAIMS = JSON.parse(env.IDP_EXTRA_CLAIMS
    || '{"roles":["admin"],"permissions":["users:read"],"preferred_username":"service-bot"}');
} catch (e) {
  fail(`IDP_EXTRA_CLAIMS is not JSON: ${e.message}`);
}
if (EXTRA_CLAIMS === null || typeof EXTRA_CLAIMS !== 'object' || Array.isArray(EXTRA_CLAIMS)) {
  fail('IDP_EXTRA_CLAIMS must be a JSON object');
}

// ---- keys -------------------------------------------------------------------------

function loadKeys() {
  let keys = {};
  try {
    keys = JSON.parse(fs.readFileSync(KEYS_FILE, 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') fail(`cannot read IDP_KEYS_FILE ${KEYS_FILE}: ${e.message}`);
  }
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) fail(`${KEYS_FILE} must hold a JSON object`);
  let changed = false;
  for (const kid of KIDS) {
    if (keys[kid]) continue;
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys[kid] = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    changed = true;
    console.error(`idp: generated RSA key ${kid}`);
  }
  if (changed) {
    // Written whole, then renamed: a reader never sees half a file.
    const temporary = `${KEYS_FILE}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, KEYS_FILE);
  }
  return KIDS.map((kid) => {
    const key = { ...keys[kid], kid, use: 'sig' };
    if (key.kty !== 'RSA') fail(`key ${kid} of ${KEYS_FILE} is not an RSA key`);
    if (OMIT_ALG) delete key.alg; else key.alg = 'RS256';
    return key;
  });
}

const jwks = { keys: loadKeys() };

// ---- hits -------------------------------------------------------------------------

const KINDS = {
  '/.well-known/openid-configuration': 'discovery',
  '/jwks': 'jwks',
  '/token': 'token',
  '/token/introspection': 'introspection',
  '/token/revocation': 'revocation',
};
const zero = () => ({ discovery: 0, jwks: 0, token: 0, introspection: 0, revocation: 0, other: 0 });
let hits = zero();

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

// ---- the server -------------------------------------------------------------------

let providerCallback;
const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://127.0.0.1');
  if (pathname === '/test/hits' && req.method === 'GET') return sendJson(res, 200, hits);
  if (pathname === '/test/reset' && req.method === 'POST') {
    hits = zero();
    return sendJson(res, 200, hits);
  }
  hits[KINDS[pathname] ?? 'other'] += 1;
  if (!providerCallback) return sendJson(res, 503, { error: 'starting' });
  return providerCallback(req, res);
});
// No idle keep-alive connection outlives a stop for long.
server.keepAliveTimeout = 1000;

server.on('error', (e) => fail(`cannot listen on 127.0.0.1:${PORT}: ${e.code || e.message}`));

server.listen(PORT, '127.0.0.1', async () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const { default: Provider, errors } = await import('oidc-provider');

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: SCOPES.join(' '),
    }],
    jwks,
    scopes: ['openid', ...SCOPES],
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Any authenticated client may introspect any token (a test fixture).
        allowedPolicy: async () => true,
      },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== AUDIENCE) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          return {
            audience: AUDIENCE,
            scope: SCOPES.join(' '),
            accessTokenFormat: 'jwt',
            accessTokenTTL: TOKEN_TTL,
            // The first kid of IDP_KIDS signs.
            jwt: { sign: { alg: 'RS256', kid: KIDS[0] } },
          };
        },
      },
    },
    // The extra claims go into every access token: the JWT's claims, the opaque
    // token's introspection answer. Client-credentials tokens have no account, so
    // oidc-provider gives their JWTs `sub` = client id but leaves `sub` out of their
    // introspection: `sub` here puts it there too (the JWT's own `sub` wins anyway).
    extraTokenClaims: async (_ctx, token) => ({
      ...EXTRA_CLAIMS,
      ...(token.kind === 'ClientCredentials' && !token.accountId ? { sub: token.clientId } : {}),
    }),
    ttl: {
      AccessToken: TOKEN_TTL,
      ClientCredentials: TOKEN_TTL,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 3600,
    },
  });
  provider.on('server_error', (_ctx, e) => console.error('idp: server_error', e));
  providerCallback = provider.callback();

  console.error(`idp: issuer ${issuer}, kids ${KIDS.join(',')} (${KIDS[0]} signs)${OMIT_ALG ? ', alg omitted' : ''}, keys ${KEYS_FILE}`);
  process.stdout.write(`READY ${issuer}\n`);
});

// ---- stopping ---------------------------------------------------------------------

let stopping = false;
function stop(why) {
  if (stopping) return;
  stopping = true;
  console.error(`idp: ${why}, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Should a connection linger anyway.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (env.IDP_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin closed'));
  process.stdin.resume();
}
