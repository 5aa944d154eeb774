/**
 * Build time only (the `prerender` plugin of `vite.config.ts`): the HTML of the page every
 * visitor opens first, the signed-out comments page, rendered by the app's own components so the
 * first paint needs no JavaScript; `main.tsx` hydrates it.
 */
import { ConvexReactClient } from 'convex/react';
import { renderToString } from 'react-dom/server';
import { Root } from './Root';

/** A WebSocket that never connects: the build has no deployment to talk to. */
class OfflineSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  onopen: unknown = null;
  onmessage: unknown = null;
  onerror: unknown = null;
  onclose: unknown = null;
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
}

/** The prerendered `#root` content (signed out, comments page). */
export async function renderShell(): Promise<string> {
  const client = new ConvexReactClient('https://prerender.invalid', {
    webSocketConstructor: OfflineSocket as unknown as typeof WebSocket,
    unsavedChangesWarning: false,
  });
  try {
    return renderToString(<Root client={client} />);
  } finally {
    await client.close();
  }
}
