import { useConvexAuth } from 'convex/react';
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { api } from '../convex/_generated/api';
import { setIdToken } from './auth';
import { pageOf, type Page } from './routes';
import { useArmorErrors, useTimedMutation, useTimedPaginatedQuery } from './useArmor';

/**
 * The admin page (the monitoring dashboard and its panels) is its own chunk, loaded when the
 * page is first opened: the comments page, which every visitor sees first, never waits for it.
 */
const AdminPage = lazy(() => import('./AdminPage'));

/**
 * Two pages, each with its own URL (`#/`, `#/admin`; see `routes.ts`): comments (the product)
 * and admin (the monitoring dashboard). Hash URLs need nothing from the static host.
 */
export function App() {
  // No `location` when prerendered at build time (shell.tsx): that is the comments page.
  const [page, setPage] = useState<Page>(() => (typeof location === 'undefined' ? 'comments' : pageOf(new URL(location.href))));
  useEffect(() => {
    const follow = () => setPage(pageOf(new URL(location.href)));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 1200, margin: '0 auto', padding: 16 }}>
      <nav aria-label="Pages" style={{ display: 'flex', gap: 8 }}>
        <a href="#/" aria-current={page === 'comments' ? 'page' : undefined}>Comments</a>
        <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined}>Admin</a>
      </nav>
      {page === 'comments' ? (
        <CommentsPage />
      ) : (
        <Suspense fallback={<p>Loading the monitoring dashboard…</p>}>
          <AdminPage />
        </Suspense>
      )}
    </main>
  );
}

/**
 * Sign-in for the example: paste an ID token from your OpenID Connect provider (see
 * `src/auth.ts`; a real app uses the provider's SDK). The server trusts only the verified token.
 */
function SignIn() {
  const { isAuthenticated } = useConvexAuth();
  if (isAuthenticated) return <button onClick={() => setIdToken(null)}>Sign out</button>;
  return (
    <form
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
    <section aria-labelledby="comments-title">
      <h1 id="comments-title">Projects and comments</h1>
      <SignIn />
      {errors.message && <p role="alert">{errors.message}</p>}
      {!isAuthenticated ? (
        <p>Sign in to create a project and comment.</p>
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
    </section>
  );
}
