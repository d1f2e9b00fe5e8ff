// A real OpenID Connect provider for the single sign-on browser test: panva's oidc-provider over HTTPS.
//
// Usage: node server.mjs CONFIG.json
// CONFIG: {issuer, port, certFile, keyFile, logFile, cookieKey, clients: [...], accounts: {login: claims}}
// Its own login and consent pages are oidc-provider's development interactions (any password is accepted;
// the login name picks the account). Each authorization request's query and each token request's client
// authentication method are appended to logFile as JSON lines, so the test can check what hitl sent.
import fs from 'node:fs';
import https from 'node:https';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const log = (entry) => fs.appendFileSync(config.logFile, `${JSON.stringify(entry)}\n`);

const provider = new Provider(config.issuer, {
  clients: config.clients,
  cookies: { keys: [config.cookieKey] },
  // The claims an A2I identity provider sends; `sagemaker:groups` only for the `groups` scope.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['sagemaker:groups'],
    sagemaker: ['sagemaker:sub', 'sagemaker:client_id', 'sagemaker:name'],
  },
  scopes: ['openid', 'email', 'profile', 'groups', 'sagemaker'],
  extraParams: ['hitl_tenant'],
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, 'sagemaker:client_id': ctx.oidc.client?.clientId, ...claims };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/auth' && ctx.method === 'GET') log({ event: 'authorization', query: ctx.query });
  await next();
});
provider.on('grant.success', (ctx) => log({ event: 'token', authMethod: ctx.oidc.client.clientAuthMethod }));
provider.on('grant.error', (ctx, error) => log({ event: 'token-error', error: `${error.name}: ${error.message}` }));

const server = https.createServer(
  { cert: fs.readFileSync(config.certFile), key: fs.readFileSync(config.keyFile) },
  provider.callback(),
);
server.listen(config.port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
