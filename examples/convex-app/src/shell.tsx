/**
 * Build time only (the `prerender` plugin of `vite.config.ts`): the HTML of the page every
 * visitor opens first, the signed-out comments page, rendered by the app's own components so the
 * first paint needs no JavaScript; `main.tsx` hydrates it. The signed-out page has no Convex
 * client, so nothing here needs a deployment.
 */
import { renderToString } from 'react-dom/server';
import { Root } from './Root';

/** The prerendered `#root` content (signed out, comments page). */
export async function renderShell(): Promise<string> {
  return renderToString(<Root />);
}
