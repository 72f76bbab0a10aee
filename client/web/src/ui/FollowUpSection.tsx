// A meeting's *Uppföljning* (DESIGN.md §3 and §5): the group's decision items from earlier meetings that BRÅ approved
// and that are still running, those bordlagda, and those still awaiting BRÅ's decision — with status, owner
// organisation, due date, the last report (grön, gul, röd in words, not by colour alone) and the flags försenad and
// inte uppdaterad. The owner organisation's people report progress right here (the same form as on the item page).
// Someone whose queue does not hold the group (401, 403, 404) sees no section at all. The section watches the queue
// live (src/bra/live.ts) while it is shown, so a report or decision made elsewhere appears during the meeting.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { swedishDateTime } from '../access';
import {
  dueOf,
  followUpItems,
  itemAccess,
  lastReport,
  ownerOf,
  PROGRESS_HINTS,
  PROGRESS_LABELS,
  titleOf,
  upsertItem,
  type BraEventBody,
  type BraItem,
} from '../bra/queue';
import { useQueueWatch } from './useQueueWatch';
import { orgLabel, swedishDate } from '../labels';
import type { WelcomeMeeting } from '../model/types';
import { href } from '../routes';
import { useAccount } from './account-context';
import { braErrorText, Flags, FollowUpForm, StatusBadge } from './BraFollowUp';

/** At most this many items have their history read (for the last report's note) when the section opens. */
const HISTORIES = 30;

type Outcome = { ok: boolean; text: string };

export function FollowUpSection(props: { meeting: WelcomeMeeting }) {
  const { meeting } = props;
  const { me } = useAccount();
  /** Every item of the group's queue; the section shows those `followUpItems` picks. */
  const [all, setAll] = useState<BraItem[] | null>(null);
  const items = useMemo(() => (all ? followUpItems(all, meeting.id) : null), [all, meeting.id]);
  const [hidden, setHidden] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});

  /** Puts in the newer copy of an item: never an older version, nor one without history over the same version with. */
  const put = (fresh: BraItem) =>
    setAll((cur) => {
      if (!cur) return cur;
      const old = cur.find((i) => i.id === fresh.id);
      if (old && old.version === fresh.version && old.history && !fresh.history) return cur;
      return upsertItem(cur, fresh);
    });
  /** The list and live items carry no history: read it for an approved item, for its last report's note. */
  const readHistory = (i: BraItem) => {
    if (i.status === 'approved' && !i.history) api.braItem(i.id).then(put, () => undefined);
  };

  const load = async () => {
    try {
      const q = await api.braItems(meeting.group.id);
      setAll(q.items);
      setError(null);
      setHidden(false);
      setLoaded(true);
      followUpItems(q.items, meeting.id).slice(0, HISTORIES).forEach(readHistory);
    } catch (e) {
      if (e instanceof ApiError && [401, 403, 404].includes(e.status)) {
        setHidden(true);
        setLoaded(false);
      } else setError(braErrorText(e, 'Uppföljningen gick inte att hämta.'));
    }
  };
  useEffect(() => {
    void load();
  }, [meeting.group.id, meeting.id]);
  // Live: others' reports and BRÅ's decisions while the meeting is on.
  useQueueWatch({
    enabled: loaded,
    key: meeting.group.id,
    onItem: (i) => {
      if (i.group !== meeting.group.id) return;
      put(i);
      readHistory(i);
    },
    reload: load,
  });

  const say = (id: string, o: Outcome) => setOutcomes((all) => ({ ...all, [id]: o }));
  const sendFor =
    (item: BraItem) =>
    async (body: BraEventBody, done: string): Promise<boolean> => {
      setOutcomes((all) => {
        const { [item.id]: _gone, ...rest } = all;
        void _gone;
        return rest;
      });
      try {
        put(await api.braEvent(item.id, body));
        say(item.id, { ok: true, text: done });
        return true;
      } catch (e) {
        const fresh = e instanceof ApiError ? (e.body as { item?: BraItem } | null)?.item : undefined;
        if (fresh) put(fresh);
        else if (e instanceof ApiError && (e.code === 'wrong_state' || e.code === 'not_found')) void load();
        say(item.id, {
          ok: false,
          text:
            e instanceof ApiError && e.code === 'conflict'
              ? 'Någon annan hann före och ändrade punkten. Den visas som den ser ut nu: rapportera igen om det behövs.'
              : braErrorText(e, 'Det gick inte att spara. Försök igen.'),
        });
        return false;
      }
    };

  if (hidden) return null;
  const orgName = (id: string) => {
    const o = meeting.group.organisations.find((x) => x.id === id);
    return o ? orgLabel(o) : id;
  };
  return (
    <section id="uppfoljning" class="panel followup" aria-labelledby="followup-h" data-testid="followup">
      <h2 id="followup-h">Uppföljning</h2>
      <p class="hint">
        Beslutspunkter från gruppens tidigare möten som BRÅ har beviljat och som pågår, bordlagda punkter och punkter som
        väntar på BRÅ:s beslut. Den ansvariga organisationen rapporterar läget här.
      </p>
      {error && (
        <div class="error-box" role="alert">
          <p>{error}</p>
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            Försök igen
          </button>
        </div>
      )}
      {!items && !error && <p class="hint">Hämtar uppföljningen…</p>}
      {items && items.length === 0 && <p>Inga pågående beslutspunkter från tidigare möten.</p>}
      {items && items.length > 0 && (
        <ol class="followup-list">
          {items.map((i, n) => (
            <FollowUpItem
              key={i.id}
              n={n + 1}
              item={i}
              orgName={orgName}
              canReport={itemAccess(me, i).followUp}
              outcome={outcomes[i.id] ?? null}
              send={sendFor(i)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function FollowUpItem(props: {
  n: number;
  item: BraItem;
  orgName: (id: string) => string;
  canReport: boolean;
  outcome: Outcome | null;
  send: (body: BraEventBody, done: string) => Promise<boolean>;
}) {
  const i = props.item;
  const title = titleOf(i);
  const owner = ownerOf(i);
  const due = dueOf(i);
  const report = lastReport(i);
  const outcomeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.outcome) outcomeRef.current?.focus();
  }, [props.outcome]);
  const hid = `fu-item-${props.n}`;
  return (
    <li class="followup-item" data-item={i.id} data-status={i.status} aria-labelledby={hid}>
      <h3 id={hid} class="followup-title">
        <a href={href.braItem(i.id)}>{title}</a>
      </h3>
      <p class="followup-status">
        <StatusBadge item={i} /> <Flags item={i} />
      </p>
      <dl class="bra-dl followup-dl">
        <div>
          <dt>Från</dt>
          <dd>
            {i.topic.title}, {i.meeting.title} ({swedishDate(i.meeting.date, false)})
          </dd>
        </div>
        <div>
          <dt>Ansvarig</dt>
          <dd>
            {owner ? props.orgName(owner) : 'Inte angiven'}
            {owner && !i.owner_org && <span class="bra-proposed"> (förslag)</span>}
            {i.contact && <span class="cell-sub">{i.contact}</span>}
          </dd>
        </div>
        <div>
          <dt>Klart senast</dt>
          <dd>
            {due || '–'}
            {due && !i.due && <span class="bra-proposed"> (förslag)</span>}
            {i.flags.overdue && <strong class="followup-late"> – försenad</strong>}
          </dd>
        </div>
        {i.status === 'approved' && (
          <div>
            <dt>Senaste rapport</dt>
            <dd data-testid="followup-report">
              {i.progress ? (
                <>
                  <span class={`bra-progress bra-progress-${i.progress}`}>
                    <span class="bra-dot" aria-hidden="true" />
                    {PROGRESS_LABELS[i.progress]}
                  </span>{' '}
                  – {PROGRESS_HINTS[i.progress]}
                  {report?.text && <span class="bra-text followup-note">”{report.text}”</span>}
                  {i.last_report_at && (
                    <span class="cell-sub">
                      {report ? `${report.by.name}, ` : ''}
                      {swedishDateTime(i.last_report_at)}
                      {i.flags.stale && ' – inte uppdaterad på länge'}
                    </span>
                  )}
                </>
              ) : (
                <>Ingen rapport än{i.flags.stale && ' – inte uppdaterad på länge'}.</>
              )}
            </dd>
          </div>
        )}
      </dl>
      {props.outcome && (
        <div
          ref={outcomeRef}
          tabIndex={-1}
          class={props.outcome.ok ? 'bra-saved' : 'error-box'}
          role={props.outcome.ok ? 'status' : 'alert'}
          data-testid="followup-outcome"
        >
          <p>{props.outcome.text}</p>
        </div>
      )}
      {props.canReport && (
        <details class="followup-report">
          <summary>
            Rapportera läge<span class="visually-hidden"> för {title}</span>
          </summary>
          <p class="hint">Din organisation ansvarar för punkten: rapportera hur arbetet går. Gul och röd behöver en kommentar.</p>
          <FollowUpForm key={`v${i.version}`} item={i} send={props.send} idPrefix={`fu-${props.n}`} context={title} />
        </details>
      )}
    </li>
  );
}
