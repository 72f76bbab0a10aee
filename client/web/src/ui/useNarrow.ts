// Is the window a phone's (at most 600 px wide, as the style sheet's phone rules)? Follows rotation and resizing.
import { useEffect, useState } from 'preact/hooks';

const PHONE = '(max-width: 600px)';

export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(PHONE).matches);
  useEffect(() => {
    if (typeof matchMedia === 'undefined') return undefined;
    const mq = matchMedia(PHONE);
    const changed = () => setNarrow(mq.matches);
    mq.addEventListener('change', changed);
    return () => mq.removeEventListener('change', changed);
  }, []);
  return narrow;
}
