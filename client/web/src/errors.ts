// Every error code of docs/protocol.md (and of the REST API) in Swedish words a coordinator understands.

/**
 * The codes of the protocol's error table, plus `rate_limited` (sent by older servers, which refused messages past
 * their rate; the server now reads more slowly instead) and the REST API's.
 */
export const PROTOCOL_ERROR_CODES = [
  'bad_json',
  'too_deep',
  'too_large',
  'unknown_type',
  'bad_message',
  'not_joined',
  'already_joined',
  'meeting_not_found',
  'unknown_org',
  'meeting_full',
  'forbidden',
  'not_found',
  'wrong_kind',
  'bad_value',
  'out_of_range',
  'text_too_long',
  'bad_text',
  'limit_reached',
  'duplicate_entry',
  'stale_revision',
  'conflict',
  'storage_failed',
  'internal',
] as const;

/** The codes of a meeting's lifecycle (locks, signatures, closing; /api/meetings/{id}/lifecycle and WS errors). */
export const LIFECYCLE_ERROR_CODES = [
  'locked',
  'closed',
  'wrong_phase',
  'already_signed',
  'same_signer',
  'bad_password',
  'personal_data',
  'purged',
] as const;

export const OTHER_ERROR_CODES = ['duplicate_title', 'rate_limited', 'method_not_allowed', 'bad_query', 'bad_path', 'bad_format', 'busy', 'timeout', 'network', 'out_of_order'] as const;

/** The codes of "Accounts and access" (docs/protocol.md): sessions, sign-in, invitations, the checks on every request. */
export const ACCESS_ERROR_CODES = [
  'sign_in_required',
  'invalid_credentials',
  'throttled',
  'invalid_token',
  'password_too_short',
  'password_too_long',
  'password_common',
  'password_invalid',
  'account_disabled',
  'too_many_invitations',
  'unsupported_media_type',
  'bad_host',
  'bad_origin',
] as const;

export type ErrorCode =
  | (typeof PROTOCOL_ERROR_CODES)[number]
  | (typeof OTHER_ERROR_CODES)[number]
  | (typeof ACCESS_ERROR_CODES)[number]
  | (typeof LIFECYCLE_ERROR_CODES)[number];

const MESSAGES: Record<ErrorCode, string> = {
  bad_json: 'Programmet skickade ett meddelande som servern inte kunde läsa. Ladda om sidan. Kvarstår felet, kontakta den som ansvarar för EST Live.',
  too_deep: 'Programmet skickade ett meddelande som servern inte kunde läsa. Ladda om sidan. Kvarstår felet, kontakta den som ansvarar för EST Live.',
  too_large: 'Ändringen var för stor för att skickas på en gång. Dela upp texten i mindre delar och försök igen.',
  unknown_type: 'Programmet och servern förstod inte varandra. Ladda om sidan. Kvarstår felet, kontakta den som ansvarar för EST Live.',
  bad_message: 'Servern tog inte emot ändringen eftersom den var felaktigt utformad. Ladda om sidan och försök igen.',
  not_joined: 'Du är inte längre ansluten till mötet. Sidan ansluter igen automatiskt.',
  already_joined: 'Du är redan ansluten till mötet i det här fönstret.',
  meeting_not_found: 'Mötet finns inte, eller så ingår du inte i mötets EST-grupp. Välj ett möte från startsidan.',
  unknown_org: 'Organisationen du valde ingår inte i den här EST-gruppen. Välj en av gruppens organisationer.',
  meeting_full: 'Mötet har redan så många deltagare som tillåts. Försöker igen om en stund.',
  forbidden: 'Du har inte behörighet att ändra här. Du kan bara skriva i din egen organisations rutor; samlad bedömning skrivs av ordföranden.',
  not_found: 'Ändringen kunde inte sparas eftersom det du skrev i har tagits bort, till exempel en händelse som någon annan tog bort.',
  wrong_kind: 'Fältet kunde inte ändras på det sättet. Ladda om sidan och försök igen.',
  bad_value: 'Det valda alternativet finns inte för fältet. Välj ett av alternativen i listan.',
  out_of_range: 'Texten hade hunnit ändras på ett sätt som inte gick att slå ihop. Sidan hämtar den senaste versionen och skickar din ändring igen.',
  text_too_long: 'Texten är för lång. Korta ner den; ändringen som gjorde den för lång sparades inte.',
  bad_text: 'Texten innehöll osynliga styrtecken (till exempel från Word eller en PDF) som inte kan sparas. Ändringen sparades inte; skriv in texten igen.',
  limit_reached: 'Det finns redan så många händelser som tillåts i den här rutan. Ta bort eller slå ihop händelser först.',
  duplicate_entry: 'Händelsen kunde inte läggas till eftersom den redan finns. Försök igen.',
  stale_revision: 'Din version av lägesbilden var för gammal för att slå ihop. Sidan hämtar den senaste versionen och skickar dina ändringar igen.',
  conflict: 'Någon annan ändrade valet samtidigt som du. Deras val visas nu; välj igen om du vill ändra det.',
  storage_failed: 'Servern kunde inte spara mötet just nu. Sidan ansluter igen och skickar det som inte hann sparas.',
  internal: 'Ett oväntat fel uppstod på servern. Försök igen, och kontakta den som ansvarar för EST Live om det händer igen.',
  rate_limited: 'Ändringar skickades för tätt. De skickas igen om en liten stund; inget går förlorat.',
  method_not_allowed: 'Servern tillåter inte den åtgärden. Ladda om sidan och försök igen.',
  bad_query: 'Listan kunde inte hämtas eftersom adressen var felaktig. Gå till startsidan och försök igen.',
  bad_path: 'Adressen är felaktig. Gå till startsidan och välj mötet där.',
  bad_format: 'Lägesbilden kan inte exporteras i det formatet. Använd länkarna i mötet: som sida eller som JSON-fil.',
  busy: 'Servern är upptagen med andra exporter just nu. Försök igen om en stund.',
  timeout: 'Servern svarade inte i tid. Försök igen om en stund.',
  network: 'Servern gick inte att nå. Kontrollera nätverksanslutningen och försök igen.',
  out_of_order: 'Sidan och servern kom ur takt. Sidan hämtar den senaste versionen av lägesbilden.',
  locked: 'Ämnet eller lägesbilden är låst av ordföranden, så ändringen sparades inte.',
  closed: 'Mötet är stängt. Lägesbilden kan inte längre ändras.',
  wrong_phase: 'Det går inte just nu: mötet är inte i rätt skede för det. Sidan visar hur det ser ut nu.',
  already_signed: 'Du har redan signerat lägesbilden.',
  same_signer: 'Samma person kan inte signera två gånger: medundertecknaren måste vara en annan person än den som redan har signerat.',
  bad_password: 'Fel lösenord. Skriv ditt lösenord igen för att signera.',
  purged:
    'Mötet är gallrat: lägesbilden har raderats enligt gruppens gallringsregler. Den signerade kontrollsumman finns kvar, så en sparad export kan fortfarande kontrolleras.',
  personal_data:
    'Lägesbilden kan inte signeras än: den innehåller personnummer eller samordningsnummer som varken har tagits bort eller godkänts av ordföranden. Se Personuppgifter högst upp i mötet.',
  sign_in_required: 'Du är inte inloggad längre. Logga in igen; det du har skrivit finns kvar.',
  invalid_credentials: 'Fel e-post eller lösenord.',
  throttled: 'För många försök. Vänta en stund och försök igen.',
  invalid_token: 'Länken fungerar inte: den är redan använd, har gått ut eller är felaktig. Be den som skickade den om en ny länk.',
  password_too_short: 'Lösenordet måste ha minst 12 tecken.',
  password_too_long: 'Lösenordet är för långt: det får vara högst 1024 byte (ungefär 1000 tecken).',
  password_common: 'Lösenordet är för vanligt eller för enkelt att gissa. Välj ett annat, till exempel några ord i följd.',
  password_invalid: 'Lösenordet innehåller tecken som inte går att använda, till exempel radbrytningar eller styrtecken.',
  account_disabled: 'Kontot är avstängt. Kontakta en administratör för EST Live.',
  too_many_invitations: 'Gruppen har för många inbjudningar som inte är använda än. Återkalla några eller vänta tills de har använts.',
  unsupported_media_type: 'Servern tog inte emot förfrågan eftersom den var felaktigt utformad. Ladda om sidan och försök igen.',
  bad_host: 'Servern svarar inte på den här adressen. Använd den adress som administratören har gett dig.',
  bad_origin: 'Servern tog inte emot förfrågan eftersom den kom från en annan webbplats. Öppna EST Live direkt och försök igen.',
  duplicate_title: 'Gruppen har redan ett möte med den titeln. Välj en annan titel, till exempel med veckodag eller ”extramöte”.',
};

/** A Swedish sentence for an error code; unknown codes get a general sentence. */
export function swedishError(code: string): string {
  return (MESSAGES as Record<string, string>)[code] ?? 'Något gick fel. Försök igen, och kontakta den som ansvarar för EST Live om det händer igen.';
}

/** True when the code is one this client knows a specific sentence for. */
export function knowsError(code: string): boolean {
  return code in MESSAGES;
}
