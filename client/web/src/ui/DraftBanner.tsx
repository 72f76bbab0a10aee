// A draft meeting (DESIGN.md §4): the chair prepares the joint assessment and the priorities, nobody fills in the
// cells yet, and the chair opens the meeting when it starts. Everyone sees the banner, and its going, live: the
// opening reaches every browser as a lifecycle `op`. The server decides (POST /api/meetings/{id}/lifecycle).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { signersText, type Lifecycle } from '../model/lifecycle';
import type { Role } from '../model/types';

export function DraftBanner(props: { meetingId: string; lifecycle: Lifecycle; role: Role | undefined }) {
  const { meetingId, role } = props;
  const phase = props.lifecycle.phase;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Said once, to those who saw the draft, when the chair opens it (here or elsewhere).
  const [opened, setOpened] = useState(false);
  const wasDraft = useRef(phase === 'draft');
  const openedHere = useRef(false);
  useEffect(() => {
    if (phase === 'draft') {
      wasDraft.current = true;
      return;
    }
    if (!wasDraft.current) return;
    wasDraft.current = false;
    setOpened(true);
    // The button is gone with the draft: the chair goes on in the picture.
    if (openedHere.current) document.getElementById('lagesbild')?.focus();
  }, [phase]);

  const open = async () => {
    setBusy(true);
    setError(null);
    openedHere.current = true;
    try {
      await api.lifecycle(meetingId, { action: 'open' });
    } catch (e) {
      openedHere.current = false;
      setError(e instanceof ApiError ? e.swedish : 'Det gick inte att öppna mötet. Försök igen.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="visually-hidden" role="status" data-testid="opened-status">
        {opened ? 'Ordföranden har öppnat mötet. Nu kan alla fylla i sin del av lägesbilden.' : ''}
      </div>
      {phase === 'draft' && (
        <div class="draft-banner" role="note" aria-labelledby="draft-h" data-testid="draft-banner">
          <p id="draft-h" class="draft-title">
            <strong>Utkast – mötet är inte öppnat än. Ordföranden förbereder.</strong>
          </p>
          {role === 'chair' ? (
            <>
              <p>
                Skriv samlad bedömning, nivå och prioriteringar i förväg om du vill. Öppna mötet när det börjar: då kan
                alla fylla i sin organisations del.
              </p>
              <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void open()} data-testid="open-meeting">
                Öppna mötet
              </button>
            </>
          ) : (
            <p>Du kan läsa det som är förberett. Fälten går att fylla i när ordföranden har öppnat mötet.</p>
          )}
          <p class="hint">Lägesbilden signeras av {signersText(props.lifecycle.required)}.</p>
          <div role="alert" class={error ? 'form-error' : 'banner-empty'}>
            {error}
          </div>
        </div>
      )}
    </>
  );
}
