// #/m/<meeting>: the live meeting. Who the person is in it (name, organisation, role) comes from their
// account and their membership of the meeting's group: the server says so in the welcome.
import { MeetingView } from './MeetingView';

export function MeetingRoute(props: { meetingId: string }) {
  return <MeetingView meetingId={props.meetingId} />;
}
