/**
 * `pnpm --filter express-app keys:create [--email you@example.com] [--scopes a,b] [--name ci] [--admin]`
 * Issues an API key and prints it once (only its hash is stored). Creates the user (in a new
 * tenant) when the email is unknown. With PGlite, run it while the server is stopped: one
 * process owns the data directory, and while the server holds it this refuses (exit 1) instead
 * of writing a key the server would never see. With DATABASE_URL, any time.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from './config.js';
import { createService } from './app.js';
import { SCOPES } from './auth.js';
import { DataDirInUseError } from './db/database.js';

// `pnpm run <script> -- --email x` passes the `--` through to the script: drop it.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    email: { type: 'string', default: 'admin@armor.local' },
    scopes: { type: 'string' },
    name: { type: 'string', default: 'cli' },
    admin: { type: 'boolean', default: false },
  },
});

const config = loadConfigOrExit();
const scopes = values.scopes ? values.scopes.split(',').map((s) => s.trim()).filter(Boolean) : SCOPES.filter((s) => s !== 'admin' || values.admin);
const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
if (unknown.length) {
  process.stderr.write(`Unknown scope(s): ${unknown.join(', ')}; known: ${SCOPES.join(', ')}\n`);
  process.exit(1);
}
let service: Awaited<ReturnType<typeof createService>>;
try {
  service = await createService({ ...config, redisUrl: undefined });
} catch (error) {
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\nNo key was created.\n`);
    process.exit(1);
  }
  throw error;
}
try {
  const email = values.email;
  let user = await service.repos.users.byEmail(email);
  if (!user) {
    const tenant = await service.repos.tenants.create(email.split('@')[1] ?? email);
    user = { ...(await service.repos.users.create({ tenantId: tenant.id, email, name: email.split('@')[0] ?? email })), passwordHash: null };
  }
  const key = await service.createApiKey(user.id, scopes, values.name);
  process.stderr.write(`API key for ${email} (scopes: ${scopes.join(' ')}). It is shown once:\n`);
  process.stdout.write(`${key}\n`);
} finally {
  await service.close();
}
