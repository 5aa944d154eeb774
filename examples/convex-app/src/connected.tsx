/**
 * The half of the UI that talks to the deployment: the Convex client (one per tab, connected
 * when first rendered), its auth adapter, the signed-in comments page and the
 * provider the admin page runs in. Loaded lazily by `App.tsx` (see `lazy.ts`).
 */
import { ConvexProviderWithAuth, ConvexReactClient, useConvexAuth } from 'convex/react';
import { lazy, Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../convex/_generated/api';
import { setIdToken, useIdTokenAuth } from './auth';
import { loadAdminPage } from './lazy';
import type { Page } from './routes';
import { CommentsSection, SIGN_IN_PROMPT, SignInForm } from './SignedOut';
import { useArmorErrors, useTimedMutation, useTimedPaginatedQuery } from './useArmor';

let client: ConvexReactClient | undefined;
/**
 * The tab's Convex client, created (and connected) on first render, not when the chunk loads:
 * warming the chunk (`lazy.ts`) opens no WebSocket. `main.tsx` renders nothing that loads this
 * chunk without `VITE_CONVEX_URL`.
 */
function convexClient(): ConvexReactClient {
  return (client ??= new ConvexReactClient(import.meta.env.VITE_CONVEX_URL as string));
}

/** The admin page (the monitoring dashboard and its panels) is a chunk of its own. */
const AdminPage = lazy(loadAdminPage);

/** A page of the UI inside the Convex provider (the ID token is its auth). */
export default function Connected({ page, adminFallback }: { page: Page; adminFallback: ReactNode }) {
  return (
    <ConvexProviderWithAuth client={convexClient()} useAuth={useIdTokenAuth}>
      {page === 'comments' ? (
        <CommentsPage />
      ) : (
        <Suspense fallback={adminFallback}>
          <AdminPage />
        </Suspense>
      )}
    </ConvexProviderWithAuth>
  );
}

function SignIn() {
  const { isAuthenticated } = useConvexAuth();
  if (isAuthenticated) return <button onClick={() => setIdToken(null)}>Sign out</button>;
  return <SignInForm />;
}

function CommentsPage() {
  const { isAuthenticated } = useConvexAuth();
  const errors = useArmorErrors('CommentsPage');
  const ensureUser = useTimedMutation(api.users.ensure, 'users.ensure');
  const createProject = useTimedMutation(api.projects.create, 'projects.create');
  const addComment = useTimedMutation(api.comments.add, 'comments.add');
  const [projectId, setProjectId] = useState<string | null>(null);
  // Timed from subscription to first page (and per "Load more"): Convex freezes the clock
  // inside queries, so their latency is measured here and recorded as `query` samples.
  const comments = useTimedPaginatedQuery(api.comments.listByProject, projectId ? { projectId } : 'skip', { initialNumItems: 20 }, 'comments.listByProject');

  async function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      errors.clear();
      // The user and the project's owner are the signed-in identity: no ids are sent.
      await ensureUser({ name: String(form.get('name')) });
      setProjectId(await createProject({ name: String(form.get('project')) }));
    } catch (thrown) {
      errors.handle(thrown);
    }
  }

  async function comment(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    if (!projectId) return;
    try {
      errors.clear();
      await addComment({ projectId, body: String(new FormData(formElement).get('body')) });
      formElement.reset();
    } catch (thrown) {
      errors.handle(thrown);
    }
  }

  return (
    <CommentsSection>
      <SignIn />
      {errors.message && <p role="alert">{errors.message}</p>}
      {!isAuthenticated ? (
        <p>{SIGN_IN_PROMPT}</p>
      ) : !projectId ? (
        <form onSubmit={(e) => void start(e)}>
          <label>Name <input name="name" required aria-invalid={!!errors.fieldErrors.name} /></label>
          {errors.fieldErrors.name && <small>{errors.fieldErrors.name}</small>}
          <label>Project <input name="project" required /></label>
          <button type="submit">Start</button>
        </form>
      ) : (
        <>
          <form onSubmit={(e) => void comment(e)}>
            <label>Comment (HTML allowed, sanitized) <textarea name="body" required aria-invalid={!!errors.fieldErrors.body} /></label>
            {errors.fieldErrors.body && <small>{errors.fieldErrors.body}</small>}
            <button type="submit">Post</button>
          </form>
          <ul>
            {comments.results.map((c) => (
              // The HTML was sanitized on the server by @armor/validation's schemas.html().
              <li key={c.id}><strong>{c.author}</strong>: <span dangerouslySetInnerHTML={{ __html: c.html }} /></li>
            ))}
          </ul>
          {comments.status === 'CanLoadMore' && <button onClick={() => comments.loadMore(20)}>Load more</button>}
        </>
      )}
    </CommentsSection>
  );
}
