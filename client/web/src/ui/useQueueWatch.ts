// Watching the BRÅ queue live from a page (src/bra/live.ts) while the session lasts. When the session ends the watch
// stops, since the server would only refuse it again and again; once the person has signed in it starts anew and the
// page's data is read again. After any reconnect the data is read again too: what happened meanwhile is not replayed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { onAuth } from '../auth-events';
import { watchQueue } from '../bra/live';
import type { BraItem } from '../bra/queue';

export function useQueueWatch(opts: {
  /** Watch only once the page has its data. */
  enabled: boolean;
  /** A change of key starts a new watch. */
  key: string;
  onItem: (item: BraItem) => void;
  reload: () => unknown;
}): void {
  const reload = useRef(opts.reload);
  reload.current = opts.reload;
  const onItem = useRef(opts.onItem);
  onItem.current = opts.onItem;
  const [signedOut, setSignedOut] = useState(false);
  useEffect(
    () =>
      onAuth((e) => {
        if (e.kind === 'signed_out') setSignedOut(true);
        else if (e.kind === 'signed_in') {
          setSignedOut(false);
          void reload.current();
        }
      }),
    [],
  );
  useEffect(() => {
    if (!opts.enabled || signedOut) return undefined;
    let first = true;
    return watchQueue({
      onItem: (i) => onItem.current(i),
      onState: (watching) => {
        if (watching && !first) void reload.current();
        if (watching) first = false;
      },
    });
  }, [opts.enabled, signedOut, opts.key]);
}
