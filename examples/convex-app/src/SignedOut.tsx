/**
 * The signed-out comments page: what every visitor sees first, prerendered into index.html and
 * hydrated without the Convex client (`App.tsx`). `connected.tsx` renders the same markup while
 * signed out, so taking over after sign-in changes nothing on screen.
 */
import type { ReactNode } from 'react';
import { setIdToken } from './auth';
import { loadConnected } from './lazy';

/** The comments page's section and heading. */
export function CommentsSection({ children }: { children: ReactNode }) {
  return (
    <section aria-labelledby="comments-title">
      <h1 id="comments-title">Projects and comments</h1>
      {children}
    </section>
  );
}

/**
 * Sign-in for the example: paste an ID token from your OpenID Connect provider (see
 * `src/auth.ts`; a real app uses the provider's SDK). The server trusts only the verified token.
 * Focusing or hovering the form starts loading the Convex client, which signing in needs.
 */
export function SignInForm() {
  const warm = () => void loadConnected();
  return (
    <form
      onFocus={warm}
      onPointerEnter={warm}
      onSubmit={(event) => {
        event.preventDefault();
        setIdToken(String(new FormData(event.currentTarget).get('token') ?? '').trim() || null);
      }}
    >
      <label>ID token <input name="token" type="password" autoComplete="off" /></label>
      <button type="submit">Sign in</button>
    </form>
  );
}

/** What a signed-out visitor is asked to do. */
export const SIGN_IN_PROMPT = 'Sign in to create a project and comment.';

/** The whole signed-out comments page. */
export function SignedOutComments() {
  return (
    <CommentsSection>
      <SignInForm />
      <p>{SIGN_IN_PROMPT}</p>
    </CommentsSection>
  );
}
