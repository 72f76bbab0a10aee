// A topic's decision items (beslutsförslag, DESIGN.md §5; docs/protocol.md "Decision items"): anyone taking part
// proposes one with "Föreslå beslutspunkt" and everyone co-edits its fields live — text merged like the cells,
// type, prevention level, date and owner organisation as registers. The chair marks which go to BRÅ (till_bra);
// others see the mark. Items change while the meeting is open or locked (topic locks do not apply), never in a
// draft, a signed or a closed picture. The fields and their Swedish labels come from the template.
import { useRef, useState } from 'preact/hooks';
import type { FieldDef, FieldRef, TopicDef, WelcomeMeeting } from '../model/types';
import { fieldKey } from '../model/types';
import type { MeetingSession } from '../sync/session';
import { ConfirmBox, useConfirm } from './ConfirmRemove';
import { EditableChoice, EditableDate, EditableText, ReadOnlyChoice, ReadOnlyText, useLiveText } from './Fields';

/** The chair's mark: which items go to BRÅ. */
const TILL_BRA = 'till_bra';

/** Text fields this long or longer get a few lines (beskrivning, orsak, the SMART goal); shorter ones one. */
const MULTILINE_FROM = 500;

interface FieldGroup {
  title: string | null;
  fields: FieldDef[];
}

/** The fields in template order, those with one `group` heading together; till_bra apart. */
export function groupItemFields(defs: FieldDef[]): FieldGroup[] {
  const out: FieldGroup[] = [];
  for (const f of defs) {
    if (f.id === TILL_BRA) continue;
    const title = f.group ?? null;
    const last = out[out.length - 1];
    if (last && last.title === title) last.fields.push(f);
    else out.push({ title, fields: [f] });
  }
  return out;
}

export function DecisionItems(props: { topic: TopicDef; session: MeetingSession; meeting: WelcomeMeeting }) {
  const { topic, session, meeting } = props;
  const defs = meeting.template.decision_item_fields ?? [];
  const [autoFocus, setAutoFocus] = useState<string | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  if (defs.length === 0) return null;
  const items = session.replica.visibleItems(topic.id);
  const editable = session.canWriteItems();
  if (!editable && items.length === 0) return null;
  const hid = `items-${topic.id}`;
  const firstText = defs.find((f) => f.kind === 'text');
  const add = () => {
    const id = session.addItem(topic.id);
    if (firstText) setAutoFocus(fieldKey({ topic: topic.id, item: id, field: firstText.id }));
  };
  return (
    <section class="items" aria-labelledby={hid} data-items={topic.id}>
      <h4 id={hid} class="items-title">
        Beslutsförslag<span class="visually-hidden">, {topic.title}</span>
        {items.length > 0 && <span class="count">{items.length}</span>}
      </h4>
      {items.length === 0 && <p class="hint items-empty">Inga beslutsförslag än.</p>}
      {items.length > 0 && (
        <ol class="items-list">
          {items.map((it, i) => (
            <ItemCard
              key={it.id}
              n={i + 1}
              itemId={it.id}
              pending={it.pending}
              topic={topic}
              session={session}
              meeting={meeting}
              defs={defs}
              editable={editable}
              autoFocus={autoFocus}
              onRemoved={() => addRef.current?.focus()}
            />
          ))}
        </ol>
      )}
      {editable && (
        <button type="button" class="btn btn-add" ref={addRef} onClick={add} data-add-item={topic.id}>
          <span aria-hidden="true">+ </span>Föreslå beslutspunkt<span class="visually-hidden"> i {topic.title}</span>
        </button>
      )}
    </section>
  );
}

function ItemCard(props: {
  n: number;
  itemId: string;
  pending: boolean;
  topic: TopicDef;
  session: MeetingSession;
  meeting: WelcomeMeeting;
  defs: FieldDef[];
  editable: boolean;
  autoFocus: string | null;
  onRemoved: () => void;
}) {
  const { session, topic, itemId, meeting } = props;
  const confirm = useConfirm();
  const ref = (field: string): FieldRef => ({ topic: topic.id, item: itemId, field });
  const rubrikDef = props.defs.find((f) => f.id === 'rubrik');
  const rubrik = useLiveText(session, ref(rubrikDef?.id ?? 'rubrik')).trim();
  const context = `beslutsförslag ${props.n}, ${topic.title}`;
  const orgs = meeting.group.organisations;
  const orgName = (id: string) => orgs.find((o) => o.id === id)?.name ?? id;
  const hasTillBra = props.defs.some((f) => f.id === TILL_BRA);
  const tillBra = session.replica.visibleChoice(ref(TILL_BRA));
  const hid = `item-${topic.id}-${itemId}`;

  const fieldOf = (f: FieldDef) => {
    const common = { session, target: ref(f.id), def: f, label: f.label, context };
    if (!props.editable) {
      if (f.kind === 'text') return <ReadOnlyText {...common} />;
      return <ReadOnlyChoice {...common} inline={false} display={f.kind === 'organisation' ? orgName : undefined} />;
    }
    if (f.kind === 'text')
      return (
        <EditableText
          {...common}
          multiline={(f.max_length ?? 0) >= MULTILINE_FROM}
          autoFocus={props.autoFocus === fieldKey(common.target)}
        />
      );
    if (f.kind === 'date') return <EditableDate {...common} />;
    if (f.kind === 'organisation') return <EditableChoice {...common} options={orgs.map((o) => ({ value: o.id, label: o.name }))} />;
    return <EditableChoice {...common} />;
  };
  const slot = (f: FieldDef) => (
    <div key={f.id} class={(f.kind === 'text' && (f.max_length ?? 0) >= 200) || f.kind === 'organisation' || f.kind === 'date' ? 'slot' : 'slot slot-half'}>
      {fieldOf(f)}
    </div>
  );

  return (
    <li class={props.pending ? 'item-card entry-pending' : 'item-card'} data-item={itemId} aria-labelledby={hid}>
      <div class="entry-head item-head">
        <span class="entry-num" aria-hidden="true">
          {props.n}
        </span>
        <h5 id={hid} class="item-title">
          <span class="visually-hidden">Beslutsförslag {props.n}: </span>
          {rubrik || <span class="item-untitled">Beslutsförslag utan rubrik</span>}
        </h5>
        {props.pending && <span class="entry-saving">sparas…</span>}
      </div>
      <p class="item-status">
        {hasTillBra && (
          <span class={`badge item-bra item-bra-${tillBra || 'unset'}`} data-testid="till-bra">
            {tillBra === 'ja' ? 'Till BRÅ: ja' : tillBra === 'nej' ? 'Till BRÅ: nej' : 'Till BRÅ: inte bestämt'}
          </span>
        )}
        {props.editable && !confirm.confirming && (
          <button type="button" class="btn btn-small btn-quiet" ref={confirm.triggerRef} onClick={confirm.open}>
            Ta bort<span class="visually-hidden"> beslutsförslag {props.n} i {topic.title}</span>
          </button>
        )}
      </p>
      <ConfirmBox
        confirm={confirm}
        label={`Bekräfta borttagning av beslutsförslag ${props.n}`}
        question="Ta bort beslutsförslaget och allt som står i det? Det går inte att ångra."
        onConfirm={() => {
          session.removeItem(topic.id, itemId);
          props.onRemoved();
        }}
      />
      {hasTillBra && session.canSelectItems() && <TillBraChoice session={session} target={ref(TILL_BRA)} context={context} value={tillBra} />}
      <div class={props.editable ? 'item-fields' : 'item-fields ro'}>
        {groupItemFields(props.defs).map((g, i) =>
          g.title ? (
            <fieldset key={g.title} class="item-group">
              <legend>{g.title}</legend>
              <div class="entry-fields">{g.fields.map(slot)}</div>
            </fieldset>
          ) : (
            <div key={`g${i}`} class="entry-fields">
              {g.fields.map(slot)}
            </div>
          ),
        )}
      </div>
    </li>
  );
}

/** The chair's ja/nej: two radio buttons (arrow keys move between them), a register like any choice. */
function TillBraChoice(props: { session: MeetingSession; target: FieldRef; context: string; value: string }) {
  const { session, target } = props;
  const name = `tb-${fieldKey(target).replace(/[^a-z0-9_-]/gi, '-')}`;
  return (
    <fieldset class="till-bra" data-field={fieldKey(target)}>
      <legend>
        Till BRÅ<span class="visually-hidden">, {props.context}</span>
      </legend>
      <p class="hint" id={`${name}-hint`}>
        Bara ordföranden väljer. Punkter med ja går till BRÅ när lägesbilden stängs.
      </p>
      <div class="till-bra-options">
        {(['ja', 'nej'] as const).map((v) => (
          <label key={v} class={props.value === v ? 'till-bra-option checked' : 'till-bra-option'}>
            <input
              type="radio"
              name={name}
              value={v}
              checked={props.value === v}
              aria-describedby={`${name}-hint`}
              onChange={() => session.setChoice(target, v)}
              onFocus={() => session.focus(target)}
              onBlur={() => session.blur()}
            />
            {v === 'ja' ? 'Ja' : 'Nej'}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
