export {
  FakeRealtimeModel,
  type FakeRealtimeModelOptions,
  type FakeRealtimeReply,
  type FakeReplyInput,
  type FakeRealtimeSent,
} from './fake-realtime.js';
export {
  realtimeConformanceChecks,
  type RealtimeConformanceSetup,
  type RealtimeConformanceCheck,
} from './conformance.js';
