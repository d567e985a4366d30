// Types for the plain-JS Patroni REST API fixture (server.mjs).
export interface FixtureMember {
  name: string;
  role: 'leader' | 'standby_leader' | 'sync_standby' | 'quorum_standby' | 'replica';
  state: string;
  timeline?: number;
  lag?: number | 'unknown';
  pending_restart?: boolean;
  /** false: the member's /health answers 503. */
  healthy?: boolean;
}
export interface FixtureState {
  members: FixtureMember[];
  /** [timeline, lsn, reason, timestamp, new leader] */
  history: Array<[number, number, string, string, string?]>;
  scope?: string;
  pause?: boolean;
}
export interface PatroniFixture {
  url: string;
  requests: string[];
  readonly state: FixtureState;
  setState(next: FixtureState): void;
  setMode(mode: 'ok' | 'bad-json' | 'server-error'): void;
  close(): Promise<void>;
}
export function scenarioOf(name: 'healthy' | 'broken', now?: number): FixtureState;
export function startPatroniFixture(options?: { scenario?: 'healthy' | 'broken'; state?: FixtureState }): Promise<PatroniFixture>;
