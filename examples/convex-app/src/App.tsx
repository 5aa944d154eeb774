import { MonitoringDashboard } from '@armor/react-monitoring-dashboard';
import { fromConvexError } from '@armor/errors/client';
import { useConvexAuth } from 'convex/react';
import { Component, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../convex/_generated/api';
import { setIdToken } from './auth';
import { useArmorErrors, useTimedMutation, useTimedPaginatedQuery, useTimedQuery } from './useArmor';

/** Two pages: comments (the product) and admin (the monitoring dashboard). */
export function App() {
  const [page, setPage] = useState<'comments' | 'admin'>('comments');
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 1200, margin: '0 auto', padding: 16 }}>
      <nav aria-label="Pages" style={{ display: 'flex', gap: 8 }}>
        <button aria-pressed={page === 'comments'} onClick={() => setPage('comments')}>Comments</button>
        <button aria-pressed={page === 'admin'} onClick={() => setPage('admin')}>Admin</button>
      </nav>
      {page === 'comments' ? <CommentsPage /> : <AdminPage />}
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

function AdminPage() {
  const [adminKey, setAdminKey] = useState('');
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdminKey(String(new FormData(event.currentTarget).get('adminKey') ?? ''));
  }
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Monitoring</h1>
      {/* Subscribes on submit, not per keystroke: each key is a new subscription (and a timed query). */}
      <form onSubmit={submit}>
        <label>Admin key <input name="adminKey" type="password" /></label>
        <button type="submit">Show</button>
      </form>
      {adminKey && (
        <QueryErrorBoundary key={adminKey}>
          <Dashboard adminKey={adminKey} />
        </QueryErrorBoundary>
      )}
    </section>
  );
}

function Dashboard({ adminKey }: { adminKey: string }) {
  const snapshot = useTimedQuery(api.monitoring.snapshot, { adminKey }, 'monitoring.snapshot');
  // Convex queries are reactive: the snapshot updates by itself, so onRefresh has nothing to do.
  return <MonitoringDashboard snapshot={snapshot ?? null} onRefresh={() => undefined} refreshIntervalMs={0} />;
}

/** `useQuery` throws a failing query's error during render; this shows it instead of unmounting the app. */
class QueryErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (this.state.error === null) return this.props.children;
    const error = fromConvexError(this.state.error);
    return <p role="alert">{error.code === 'UNAUTHENTICATED' ? 'Wrong admin key.' : error.message}</p>;
  }
}
