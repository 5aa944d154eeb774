/**
 * Who may sign in: any OpenID Connect provider (Clerk, Auth0, WorkOS, Convex Auth, your own)
 * whose ID tokens Convex verifies. Set the deployment's environment:
 *
 *   npx convex env set AUTH_ISSUER_URL https://<your issuer>
 *   npx convex env set AUTH_APPLICATION_ID <the token's `aud`>
 *
 * Functions read the verified identity with `ctx.auth.getUserIdentity()` (see `lib/armor.ts`);
 * no function takes a user id from its arguments.
 */
export default {
  providers: [{ domain: process.env.AUTH_ISSUER_URL ?? 'https://auth.example.invalid', applicationID: process.env.AUTH_APPLICATION_ID ?? 'convex' }],
};
