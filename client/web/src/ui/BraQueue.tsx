// The BRÅ queue (#/bra) and one item of it (#/bra/<id>): BRÅ's members filter the decision items that closed
// pictures sent to BRÅ, decide them (bifall, avslag, bordläggning), re-assign and comment; the owner
// organisation's people report progress. The logic is in src/bra/queue.ts; the server checks every rule again.
//
// Live updates: `onQueueItem(item)` puts a changed item into every mounted queue and item page (the queue's
// WebSocket subscription calls it for each item the server reports); each own action refreshes its page too.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, braCsvUrl, exportUrl } from '../api';
import { swedishDateTime } from '../access';
import {
  countText,
  dateProblem,
  decisionBody,
  dueOf,
  EMPTY_DECISION,
  EMPTY_FILTER,
  eventSummary,
  filterFromQuery,
  filterOptions,
  filterToQuery,
  itemAccess,
  ownerOf,
  PROGRESS_HINTS,
  PROGRESS_LABELS,
  STATUS_LABELS,
  STATUSES,
  titleOf,
  upsertItem,
  visibleItems,
  type BraEvent,
  type BraEventBody,
  type BraItem,
  type BraQueue,
  type DecisionDraft,
  type Option,
  type QueueFilter,
  type SortDir,
  type SortKey,
} from '../bra/queue';
import { importMayAnywhere } from '../bra/import';
import { ROLE_LABELS, localDay, orgLabel, swedishDate } from '../labels';
import type { Group, Role } from '../model/types';
import { href } from '../routes';
import { useAccount } from './account-context';
import { useQueueWatch } from './useQueueWatch';
import { braErrorText, Flags, FollowUpPanel, StatusBadge, TextArea, useSending, type Send } from './BraFollowUp';
import { describedBy, TextField } from './Form';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

// ---- live updates ----

type ItemListener = (item: BraItem) => void;
const listeners = new Set<ItemListener>();

/** A changed item (from the queue's live subscription): updates its row and its page in place, wherever shown. */
export function onQueueItem(item: BraItem): void {
  for (const l of [...listeners]) l(item);
}

function useQueueItems(listener: ItemListener) {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    const l: ItemListener = (i) => ref.current(i);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}

/**
 * Watches the queue live while the page is shown (others' decisions arrive through onQueueItem); after a
 * reconnect `reload` reads the page's data again, since what happened meanwhile is not replayed.
 */
function useLiveQueue(reload: () => unknown, key?: string) {
  useQueueWatch({ enabled: true, key: key ?? '', onItem: onQueueItem, reload });
}

// ---- organisation names ----

type OrgNames = (group: string, org: string) => string;

function orgNamesOf(groups: readonly Group[]): OrgNames {
  const names = new Map<string, string>();
  for (const g of groups) for (const o of g.organisations) names.set(`${g.id}/${o.id}`, orgLabel(o));
  return (group, org) => (org ? names.get(`${group}/${org}`) ?? org : '');
}

const SORTS: { value: string; label: string }[] = [
  { value: 'meeting-desc', label: 'Mötesdatum, nyast först' },
  { value: 'meeting-asc', label: 'Mötesdatum, äldst först' },
  { value: 'due-asc', label: 'Klart senast, närmast först' },
  { value: 'due-desc', label: 'Klart senast, senast först' },
  { value: 'status-asc', label: 'Status, inkomna först' },
  { value: 'status-desc', label: 'Status, klara först' },
];

// ---- the queue ----

export function BraQueuePage(props: { query: string }) {
  const { me } = useAccount();
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const [queue, setQueue] = useState<BraQueue | null>(null);
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState<string | null>(null);
  const initial = useMemo(() => filterFromQuery(props.query), []);
  const [filter, setFilter] = useState<QueueFilter>(initial.filter);
  const [sortKey, setSortKey] = useState<SortKey>(initial.key);
  const [sortDir, setSortDir] = useState<SortDir>(initial.dir);

  const load = () =>
    api.braItems().then(
      (q) => {
        setQueue(q);
        setError(null);
      },
      (e: unknown) => setError(braErrorText(e, 'BRÅ-kön gick inte att hämta.')),
    );
  useEffect(() => {
    void load();
    api.groups().then(setGroups, () => undefined);
  }, []);
  useQueueItems((item) => setQueue((q) => (q ? { ...q, items: upsertItem(q.items, item) } : q)));
  useLiveQueue(load);

  // The filter lives in the address too, so a filtered queue can be shared and survives a reload.
  useEffect(() => {
    const q = filterToQuery(filter, sortKey, sortDir);
    const want = href.bra(q);
    if (location.hash !== want) history.replaceState(null, '', want);
  }, [filter, sortKey, sortDir]);

  const names = useMemo(() => orgNamesOf(groups), [groups]);
  const items = queue?.items ?? [];
  const options = useMemo(() => filterOptions(items, names), [items, names]);
  const shown = useMemo(() => visibleItems(items, filter, sortKey, sortDir), [items, filter, sortKey, sortDir]);
  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
  const set = <K extends keyof QueueFilter>(k: K, v: QueueFilter[K]) => setFilter((f) => ({ ...f, [k]: v }));
  const filtered = JSON.stringify(filter) !== JSON.stringify(EMPTY_FILTER);
  const overdue = items.filter((i) => i.flags.overdue).length;
  const awaiting = items.filter((i) => i.status === 'awaiting').length;
  const multiGroup = options.groups.length > 1 || (me?.memberships.length ?? 0) > 1;
  const activeFilters = (Object.keys(EMPTY_FILTER) as (keyof QueueFilter)[]).filter((k) => filter[k] !== EMPTY_FILTER[k]).length;
  // On a phone the filters start folded (unless some are set), so the list is in view; on a laptop they are open.
  const [filtersOpen, setFiltersOpen] = useState(() => activeFilters > 0 || typeof matchMedia !== 'function' || !matchMedia('(max-width: 760px)').matches);

  return (
    <Shell title="BRÅ-kö" crumbs={[{ label: 'Start', href: href.start() }, { label: 'BRÅ-kö' }]} wide>
      <div class="page-head bra-head">
        <div>
          <h1 ref={h1} tabIndex={-1}>
            BRÅ-kö
          </h1>
          <p class="lead">
            Beslutsförslag som EST-grupperna har skickat till BRÅ från signerade lägesbilder
            {queue && (
              <>
                : <strong>{awaiting}</strong> inkomna att besluta, <strong>{overdue}</strong> försenade
              </>
            )}
            .
          </p>
        </div>
        <p class="bra-csv">
          <a href={braCsvUrl(filter.group || undefined)} download>
            Ladda ner CSV
          </a>
          <span class="hint"> {filter.group ? `(${groupName(filter.group)})` : '(hela kön)'}</span>
        </p>
        <p class="bra-pages">
          <a href={href.braReport(filter.group ? `grupp=${encodeURIComponent(filter.group)}` : '')}>Månadsrapport</a>
          {importMayAnywhere(me) && (
            <a href={href.braImport(filter.group ? `grupp=${encodeURIComponent(filter.group)}` : '')}>Importera åtgärder</a>
          )}
        </p>
      </div>
      {error && (
        <ErrorBox text={error}>
          <p>
            <button type="button" class="btn" onClick={() => void load()}>
              Försök igen
            </button>
          </p>
        </ErrorBox>
      )}
      {!queue && !error && <Loading text="Hämtar BRÅ-kön…" />}
      {queue && (
        <>
          <details class="bra-filter-box" open={filtersOpen} onToggle={(e) => setFiltersOpen((e.currentTarget as HTMLDetailsElement).open)}>
            <summary>
              Filter och sortering
              {activeFilters > 0 && <span class="bra-active"> ({activeFilters === 1 ? '1 filter valt' : `${activeFilters} filter valda`})</span>}
            </summary>
          <form class="bra-filters" role="search" aria-label="Filtrera BRÅ-kön" onSubmit={(e) => e.preventDefault()}>
            <FilterSelect
              id="f-status"
              label="Status"
              value={filter.status}
              onValue={(v) => set('status', v as QueueFilter['status'])}
              options={STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
            />
            {multiGroup && (
              <FilterSelect
                id="f-group"
                label="Grupp"
                value={filter.group}
                onValue={(v) => set('group', v)}
                options={options.groups.map((g) => ({ value: g, label: groupName(g) }))}
              />
            )}
            <FilterSelect id="f-topic" label="Ämne" value={filter.topic} onValue={(v) => set('topic', v)} options={options.topics} />
            <FilterSelect id="f-type" label="Typ" value={filter.type} onValue={(v) => set('type', v)} options={options.types} />
            <FilterSelect id="f-meeting" label="Möte" value={filter.meeting} onValue={(v) => set('meeting', v)} options={options.meetings} />
            <FilterSelect id="f-owner" label="Ansvarig organisation" value={filter.owner} onValue={(v) => set('owner', v)} options={options.owners} />
            <div class="form-row bra-search">
              <label for="f-text">Sök</label>
              <input id="f-text" type="search" value={filter.text} onInput={(e) => set('text', (e.target as HTMLInputElement).value)} />
            </div>
            <FilterSelect
              id="f-sort"
              label="Sortera"
              value={`${sortKey}-${sortDir}`}
              onValue={(v) => {
                const [k, d] = v.split('-') as [SortKey, SortDir];
                setSortKey(k);
                setSortDir(d);
              }}
              options={SORTS}
              all={false}
            />
            <div class="bra-filter-end">
              <label class="check">
                <input type="checkbox" checked={filter.overdueOnly} onChange={(e) => set('overdueOnly', (e.target as HTMLInputElement).checked)} />
                Endast försenade
              </label>
              {filtered && (
                <button type="button" class="btn btn-small" onClick={() => setFilter(EMPTY_FILTER)}>
                  Visa alla
                </button>
              )}
            </div>
          </form>
          </details>
          <p class="bra-count" role="status" data-testid="bra-count">
            {countText(shown.length, items.length)}
          </p>
          {items.length === 0 && (
            <p>
              Kön är tom. Beslutsförslag hamnar här när en EST-grupp stänger en signerad lägesbild med punkter markerade
              ”Till BRÅ: ja”.
            </p>
          )}
          {items.length > 0 && shown.length === 0 && <p>Inga punkter passar filtret.</p>}
          {shown.length > 0 && (
            <div class="table-wrap bra-table-wrap">
              <table class="data-table bra-table">
                <caption class="visually-hidden">
                  Beslutsförslag i BRÅ-kön, {SORTS.find((s) => s.value === `${sortKey}-${sortDir}`)?.label.toLowerCase()}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Beslutsförslag</th>
                    <th scope="col">Ämne</th>
                    <th scope="col" aria-sort={sortKey === 'meeting' ? (sortDir === 'asc' ? 'ascending' : 'descending') : undefined}>
                      Möte
                    </th>
                    <th scope="col" aria-sort={sortKey === 'status' ? (sortDir === 'asc' ? 'ascending' : 'descending') : undefined}>
                      Status
                    </th>
                    <th scope="col">Ansvarig</th>
                    <th scope="col" aria-sort={sortKey === 'due' ? (sortDir === 'asc' ? 'ascending' : 'descending') : undefined}>
                      Klart senast
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((i) => (
                    <QueueRow key={i.id} item={i} names={names} groupName={multiGroup ? groupName(i.group) : null} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Shell>
  );
}

function QueueRow(props: { item: BraItem; names: OrgNames; groupName: string | null }) {
  const i = props.item;
  const owner = ownerOf(i);
  const due = dueOf(i);
  const proposed = !i.owner_org;
  return (
    <tr data-item={i.id} data-status={i.status} class={i.flags.overdue ? 'bra-row-overdue' : undefined}>
      <th scope="row" data-label="Beslutsförslag">
        <a href={href.braItem(i.id)} class="bra-title">
          {titleOf(i)}
        </a>
        <span class="cell-sub">{i.fields.typ || 'Typ ej angiven'}</span>
      </th>
      <td data-label="Ämne">{i.topic.title}</td>
      <td data-label="Möte">
        <span class="nowrap">{i.meeting.date}</span>
        <span class="cell-sub">
          {i.meeting.title}
          {props.groupName && ` · ${props.groupName}`}
        </span>
      </td>
      <td data-label="Status">
        <StatusBadge item={i} />
        <Flags item={i} />
      </td>
      <td data-label="Ansvarig">
        <span>
          {owner ? props.names(i.group, owner) : '–'}
          {owner && proposed && <span class="bra-proposed"> (förslag)</span>}
        </span>
      </td>
      <td data-label="Klart senast">
        <span>
          <span class="nowrap">{due || '–'}</span>
          {due && !i.due && <span class="bra-proposed"> (förslag)</span>}
        </span>
      </td>
    </tr>
  );
}

/** A filter: "Alla" (unless `all` is false) and the options. */
function FilterSelect(props: { id: string; label: string; value: string; onValue: (v: string) => void; options: Option[]; all?: boolean }) {
  return (
    <Select id={props.id} label={props.label} value={props.value} onValue={props.onValue}>
      {props.all !== false && <option value="">Alla</option>}
      {props.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </Select>
  );
}

function Select(props: { id: string; label: string; value: string; onValue: (v: string) => void; children: ComponentChildren; error?: string | null; required?: boolean }) {
  return (
    <div class="form-row">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.error && `${props.id}-error`)}
        onChange={(e) => props.onValue((e.target as HTMLSelectElement).value)}
      >
        {props.children}
      </select>
      {props.error && (
        <p id={`${props.id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

// ---- one item ----

interface ItemFieldDef {
  id: string;
  label: string;
  kind: string;
  group?: string;
}

/** The fields of a decision item when the server's template has none (an older server). */
const FALLBACK_FIELDS: ItemFieldDef[] = [
  { id: 'typ', label: 'Typ', kind: 'choice' },
  { id: 'rubrik', label: 'Rubrik', kind: 'text' },
  { id: 'beskrivning', label: 'Beskrivning', kind: 'text' },
];

export function BraItemPage(props: { itemId: string }) {
  const { me } = useAccount();
  const [item, setItem] = useState<BraItem | null>(null);
  // Due dates may not lie before today (the server checks against its own day).
  const today = useMemo(() => localDay(new Date()), []);
  const [group, setGroup] = useState<Group | null>(null);
  const [fields, setFields] = useState<ItemFieldDef[]>(FALLBACK_FIELDS);
  const [error, setError] = useState<string | null>(null);
  /** The answer to the person's last action: saved, or refused (with the winner's decision on a conflict). */
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; winner?: BraEvent } | null>(null);
  const h1 = useFocusOnMount<HTMLHeadingElement>(!!item);
  const decisionH = useRef<HTMLHeadingElement>(null);

  const load = () =>
    api.braItem(props.itemId).then(
      (i) => {
        setItem(i);
        setError(null);
      },
      (e: unknown) => setError(braErrorText(e, 'Punkten gick inte att hämta.')),
    );
  useEffect(() => {
    void load();
    api.template().then(
      (t) => {
        const defs = (t as unknown as { decision_item_fields?: ItemFieldDef[] }).decision_item_fields;
        if (defs?.length) setFields(defs);
      },
      () => undefined,
    );
  }, [props.itemId]);
  useEffect(() => {
    if (item && group?.id !== item.group) api.group(item.group).then(setGroup, () => undefined);
  }, [item?.group]);
  useLiveQueue(load, props.itemId);
  useQueueItems((i) => {
    if (i.id !== props.itemId) return;
    // A live change carries no history: read the item again for it.
    if (!i.history) return void api.braItem(i.id).then((fresh) => setItem((cur) => (!cur || cur.version <= fresh.version ? fresh : cur)), () => undefined);
    setItem((cur) => (!cur || cur.version <= i.version ? i : cur));
  });

  const orgName = (org: string) => (org ? group?.organisations.find((o) => o.id === org)?.name ?? org : '');

  /** Sends one event; the answer (or a conflict's fresh item) replaces the page's item and reaches the queue. */
  const send = async (body: BraEventBody, done: string): Promise<boolean> => {
    setOutcome(null);
    try {
      const fresh = await api.braEvent(props.itemId, body);
      setItem(fresh);
      onQueueItem(fresh);
      setOutcome({ ok: true, text: done });
      decisionH.current?.focus();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict') {
        const fresh = (e.body as { item?: BraItem } | null)?.item;
        if (fresh) {
          setItem(fresh);
          onQueueItem(fresh);
        } else void load();
        const winner = fresh?.history?.length ? fresh.history[fresh.history.length - 1] : undefined;
        setOutcome({
          ok: false,
          text: winner
            ? `Någon annan hann före: ${winner.by.name} (${swedishDateTime(winner.at)}) – ${eventSummary(winner, orgName)}.`
            : 'Någon annan hann före. Sidan visar punkten som den ser ut nu.',
          winner,
        });
        decisionH.current?.focus();
        return false;
      }
      setOutcome({ ok: false, text: braErrorText(e, 'Det gick inte att spara. Försök igen.') });
      if (e instanceof ApiError && (e.code === 'wrong_state' || e.code === 'not_found')) void load();
      return false;
    }
  };

  const title = item ? titleOf(item) : 'Beslutspunkt';
  const access = item ? itemAccess(me, item) : null;
  return (
    <Shell
      title={title}
      crumbs={[{ label: 'Start', href: href.start() }, { label: 'BRÅ-kö', href: href.bra() }, { label: title }]}
      groupId={item?.group}
      wide
    >
      {error && <ErrorBox text={error} />}
      {!item && !error && <Loading text="Hämtar punkten…" />}
      {item && access && (
        <div class="bra-item" data-item={item.id} data-status={item.status}>
          <div class="page-head">
            <p class="bra-kicker">
              Beslutspunkt · {item.fields.typ || 'typ ej angiven'}
            </p>
            <h1 ref={h1} tabIndex={-1}>
              {title}
            </h1>
            <p class="bra-meta">
              <StatusBadge item={item} /> <Flags item={item} />
            </p>
            <p class="lead">
              Från {group?.name ?? item.group}, ämne <strong>{item.topic.title}</strong>, mötet {item.meeting.title} (
              {swedishDate(item.meeting.date)}).
            </p>
            <p class="bra-links">
              <a href={exportUrl(item.meeting.id)} target="_blank" rel="noopener">
                Öppna den signerade lägesbilden<span class="visually-hidden"> (öppnas i ny flik)</span>
              </a>
              <a href={href.bra()}>Tillbaka till BRÅ-kön</a>
            </p>
          </div>
          <div class="bra-item-cols">
            <div class="bra-item-main">
              <section aria-labelledby="decision-h" class="panel bra-decision">
                <h2 id="decision-h" ref={decisionH} tabIndex={-1}>
                  Beslut
                </h2>
                {outcome && (
                  <div class={outcome.ok ? 'bra-saved' : 'error-box'} role={outcome.ok ? 'status' : 'alert'} data-testid="bra-outcome">
                    <p>{outcome.text}</p>
                    {!outcome.ok && outcome.winner && access.decide && <p>Du kan besluta igen utifrån hur punkten ser ut nu.</p>}
                  </div>
                )}
                <CurrentDecision item={item} orgName={orgName} />
              </section>
              {access.decide && <DecideForm key={`d${item.version}`} item={item} today={today} group={group} send={send} />}
              {access.assign && <AssignForm key={`a${item.version}`} item={item} today={today} group={group} send={send} />}
              {access.followUp && <FollowUpPanel key={`f${item.version}`} item={item} send={send} />}
              {access.comment && <CommentForm key={`c${item.version}`} item={item} send={send} />}
              {!access.decide && !access.assign && !access.followUp && !access.comment && (
                <p class="hint">
                  Du kan läsa punkten. BRÅ:s ledamöter beslutar; den ansvariga organisationen följer upp efter bifall.
                </p>
              )}
              <History item={item} orgName={orgName} />
            </div>
            <SignedText item={item} fields={fields} orgName={orgName} />
          </div>
        </div>
      )}
    </Shell>
  );
}

function Dl(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="bra-dl">
      {props.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function CurrentDecision(props: { item: BraItem; orgName: (o: string) => string }) {
  const i = props.item;
  const rows: [string, ComponentChildren][] = [['Status', STATUS_LABELS[i.status] ?? i.status]];
  if (i.status === 'awaiting') rows.push(['Beslut', 'BRÅ har inte beslutat om punkten än.']);
  if (i.owner_org) rows.push(['Ansvarig organisation', props.orgName(i.owner_org)]);
  if (i.contact) rows.push(['Kontaktperson', i.contact]);
  if (i.due) rows.push(['Klart senast', `${i.due}${i.flags.overdue ? ' (försenad)' : ''}`]);
  if (i.reason) rows.push(['Skäl', i.reason]);
  if (i.deferred_to) rows.push(['Bordlagd till', `BRÅ-mötet ${i.deferred_to}`]);
  if (i.progress) rows.push(['Uppföljning', `${PROGRESS_LABELS[i.progress]} – ${PROGRESS_HINTS[i.progress]}`]);
  if (i.last_report_at) rows.push(['Senast uppdaterad', `${swedishDateTime(i.last_report_at)}${i.flags.stale ? ' (inte uppdaterad på länge)' : ''}`]);
  return <Dl rows={rows} />;
}

function groupFields(fields: ItemFieldDef[]): { title: string; fields: ItemFieldDef[] }[] {
  const out: { title: string; fields: ItemFieldDef[] }[] = [];
  for (const f of fields) {
    if (f.id === 'till_bra') continue;
    const title = f.group ?? 'Förslaget';
    const last = out[out.length - 1];
    if (last && last.title === title) last.fields.push(f);
    else out.push({ title, fields: [f] });
  }
  return out;
}

function SignedText(props: { item: BraItem; fields: ItemFieldDef[]; orgName: (o: string) => string }) {
  const i = props.item;
  const value = (f: ItemFieldDef) => {
    const v = i.fields[f.id] ?? '';
    if (!v) return <span class="hint">Inte ifyllt</span>;
    if (f.kind === 'organisation') return props.orgName(v);
    if (f.kind === 'date') return v;
    return <span class="bra-text">{v}</span>;
  };
  return (
    <section aria-labelledby="signed-h" class="panel bra-signed">
      <h2 id="signed-h">Beslutsförslaget</h2>
      <p class="hint">Texten är en del av den signerade lägesbilden och kan inte ändras.</p>
      {groupFields(props.fields).map((g) => (
        <div key={g.title} class="bra-field-group">
          <h3>{g.title}</h3>
          <Dl rows={g.fields.map((f) => [f.label, value(f)] as [string, ComponentChildren])} />
        </div>
      ))}
    </section>
  );
}

function OrgSelect(props: { id: string; label: string; group: Group | null; value: string; onValue: (v: string) => void; error?: string | null }) {
  return (
    <Select id={props.id} label={props.label} value={props.value} onValue={props.onValue} error={props.error} required>
      <option value="">Välj organisation</option>
      {(props.group?.organisations ?? []).map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </Select>
  );
}

function DecideForm(props: { item: BraItem; today: string; group: Group | null; send: Send }) {
  const i = props.item;
  const proposedOwner = props.group?.organisations.some((o) => o.id === i.fields.agare) ? i.fields.agare : '';
  const proposedDue = i.fields.klart_senast && i.fields.klart_senast >= props.today ? i.fields.klart_senast : '';
  const [d, setD] = useState<DecisionDraft>({ ...EMPTY_DECISION, owner_org: proposedOwner ?? '', contact: i.fields.kontakt ?? '', due: proposedDue });
  const [problems, setProblems] = useState<Partial<Record<keyof DecisionDraft, string>>>({});
  const { busy, sending } = useSending(props.send);
  useEffect(() => {
    // The group's organisations may come after the form: the proposal's owner then becomes the default.
    if (!d.owner_org && proposedOwner) setD((x) => ({ ...x, owner_org: proposedOwner }));
  }, [proposedOwner]);
  const upd = <K extends keyof DecisionDraft>(k: K, v: DecisionDraft[K]) => {
    setD((x) => ({ ...x, [k]: v }));
    setProblems((p) => (p[k] ? { ...p, [k]: undefined } : p));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const r = decisionBody(d, i.version, props.today);
    setProblems(r.problems);
    if (!r.body) {
      const first = Object.keys(r.problems)[0];
      document.getElementById(first === 'verdict' ? 'dec-approve' : `dec-${first}`)?.focus();
      return;
    }
    await sending(r.body, d.verdict === 'approve' ? 'Bifall sparat.' : d.verdict === 'reject' ? 'Avslag sparat.' : 'Bordläggning sparad.');
  };
  return (
    <section aria-labelledby="decide-h" class="panel bra-form">
      <h2 id="decide-h">Besluta</h2>
      <form onSubmit={submit} noValidate>
        <fieldset class="bra-choices" aria-describedby={describedBy(problems.verdict && 'dec-verdict-error')}>
          <legend>Beslut</legend>
          {(
            [
              ['approve', 'Bifall', 'med ansvarig organisation, kontaktperson och datum'],
              ['reject', 'Avslag', 'med skäl'],
              ['defer', 'Bordläggning', 'till ett senare BRÅ-möte'],
            ] as const
          ).map(([v, label, hint]) => (
            <div key={v} class="bra-choice">
              <input
                type="radio"
                id={`dec-${v}`}
                name="verdict"
                value={v}
                checked={d.verdict === v}
                aria-describedby={`dec-${v}-hint`}
                onChange={() => upd('verdict', v)}
              />
              <label for={`dec-${v}`}>{label}</label>
              <span id={`dec-${v}-hint`} class="hint">
                {hint}
              </span>
            </div>
          ))}
          {problems.verdict && (
            <p id="dec-verdict-error" class="field-error">
              {problems.verdict}
            </p>
          )}
        </fieldset>
        {d.verdict === 'approve' && (
          <div class="bra-subform">
            <OrgSelect id="dec-owner_org" label="Ansvarig organisation" group={props.group} value={d.owner_org} onValue={(v) => upd('owner_org', v)} error={problems.owner_org} />
            <TextField id="dec-contact" label="Kontaktperson" value={d.contact} maxLength={200} onValue={(v) => upd('contact', v)} error={problems.contact} hint="Namn och gärna telefon eller e-post." />
            <TextField id="dec-due" type="date" label="Klart senast" min={props.today || undefined} value={d.due} onValue={(v) => upd('due', v)} error={problems.due} />
            <TextArea id="dec-text" label="Kommentar (valfritt)" value={d.text} onValue={(v) => upd('text', v)} />
          </div>
        )}
        {d.verdict === 'reject' && (
          <div class="bra-subform">
            <TextArea id="dec-reason" label="Skäl" value={d.reason} onValue={(v) => upd('reason', v)} error={problems.reason} hint="Skälet sparas i historiken och visas för EST-gruppen." />
          </div>
        )}
        {d.verdict === 'defer' && (
          <div class="bra-subform">
            <TextField
              id="dec-deferred_to"
              type="date"
              label="Bordlagd till (BRÅ-mötets datum)"
              min={props.today || undefined}
              value={d.deferred_to}
              onValue={(v) => upd('deferred_to', v)}
              error={problems.deferred_to}
              hint="Punkten kommer tillbaka på dagordningen det datumet."
            />
          </div>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Sparar…' : 'Spara beslut'}
        </button>
      </form>
    </section>
  );
}

function AssignForm(props: { item: BraItem; today: string; group: Group | null; send: Send }) {
  const i = props.item;
  const [owner, setOwner] = useState(i.owner_org ?? '');
  const [contact, setContact] = useState(i.contact ?? '');
  const [due, setDue] = useState(i.due ?? '');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const { busy, sending } = useSending(props.send);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const p: Record<string, string> = {};
    if (!owner) p.owner = 'Välj ansvarig organisation.';
    if (!contact.trim()) p.contact = 'Skriv kontaktperson.';
    const dp = dateProblem(due, props.today, 'klart senast');
    if (dp) p.due = dp;
    setProblems(p);
    if (Object.keys(p).length) {
      document.getElementById(`as-${Object.keys(p)[0]}`)?.focus();
      return;
    }
    await sending({ kind: 'assign', version: i.version, owner_org: owner, contact: contact.trim(), due }, 'Ny ansvarig sparad.');
  };
  return (
    <section aria-labelledby="as-h" class="panel bra-form bra-assign">
      <h2 id="as-h">Ändra ansvarig eller datum</h2>
      <form onSubmit={submit} noValidate>
        <OrgSelect id="as-owner" label="Ansvarig organisation" group={props.group} value={owner} onValue={setOwner} error={problems.owner} />
        <TextField id="as-contact" label="Kontaktperson" value={contact} maxLength={200} onValue={setContact} error={problems.contact} />
        <TextField id="as-due" type="date" label="Klart senast" min={props.today || undefined} value={due} onValue={setDue} error={problems.due} />
        <button type="submit" class="btn" disabled={busy}>
          {busy ? 'Sparar…' : 'Spara ny ansvarig'}
        </button>
      </form>
    </section>
  );
}

function CommentForm(props: { item: BraItem; send: Send }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, sending } = useSending(props.send);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!text.trim()) {
      setProblem('Skriv en kommentar.');
      document.getElementById('cm-text')?.focus();
      return;
    }
    setProblem(null);
    if (await sending({ kind: 'comment', version: props.item.version, text: text.trim() }, 'Kommentaren är sparad.')) setText('');
  };
  return (
    <section aria-labelledby="cm-h" class="panel bra-form">
      <h2 id="cm-h">Kommentar</h2>
      <form onSubmit={submit} noValidate>
        <TextArea
          id="cm-text"
          label="Ny kommentar"
          value={text}
          onValue={(v) => {
            setText(v);
            if (v.trim()) setProblem(null);
          }}
          error={problem}
        />
        <button type="submit" class="btn" disabled={busy}>
          {busy ? 'Sparar…' : 'Spara kommentar'}
        </button>
      </form>
    </section>
  );
}

function History(props: { item: BraItem; orgName: (o: string) => string }) {
  const h = [...(props.item.history ?? [])].reverse();
  return (
    <section aria-labelledby="history-h" class="panel bra-history">
      <h2 id="history-h">Historik</h2>
      {h.length === 0 ? (
        <p class="hint">Inget har hänt med punkten sedan lägesbilden stängdes.</p>
      ) : (
        <>
          <p class="hint">Senaste först. Tider i svensk tid.</p>
          <ol class="bra-history-list" data-testid="bra-history">
            {h.map((e) => (
              <li key={e.version}>
                <p class="bra-history-what">{eventSummary(e, props.orgName)}</p>
                {e.text && <p class="bra-text">{e.text}</p>}
                <p class="hint">
                  {e.by.name}
                  {e.by.org ? `, ${props.orgName(e.by.org)}` : ''}
                  {e.by.role && ROLE_LABELS[e.by.role as Role] ? ` (${ROLE_LABELS[e.by.role as Role]})` : ''} ·{' '}
                  <time dateTime={e.at}>{swedishDateTime(e.at)}</time>
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
