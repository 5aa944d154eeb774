import { ConvexProviderWithAuth, ConvexReactClient } from 'convex/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useIdTokenAuth } from './auth';

const url = import.meta.env.VITE_CONVEX_URL as string | undefined;
const root = createRoot(document.getElementById('root')!);
if (!url) {
  root.render(<p role="alert">Set VITE_CONVEX_URL (printed by `npx convex dev` or `npx convex deploy`).</p>);
} else {
  const client = new ConvexReactClient(url);
  root.render(
    <StrictMode>
      <ConvexProviderWithAuth client={client} useAuth={useIdTokenAuth}>
        <App />
      </ConvexProviderWithAuth>
    </StrictMode>,
  );
}
