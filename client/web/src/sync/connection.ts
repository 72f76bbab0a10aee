// One WebSocket to the server that comes back by itself: reconnects with growing, jittered delays, at
// once when the browser says it is online again, and never sends faster than the server allows.

export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectionHandlers {
  open(): void;
  message(data: string): void;
  closed(info: { code: number; reason: string; wasOpen: boolean }): void;
}

export interface ConnectionOptions {
  createSocket?: (url: string) => SocketLike;
  /** Delays before reconnect attempts, in ms; the last repeats. */
  backoff?: number[];
  /** Outgoing messages per second (the server allows 100 with bursts of 200 by default). */
  rate?: number;
  burst?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

const OPEN = 1;

export class Connection {
  private socket: SocketLike | null = null;
  private wasOpen = false;
  private attempts = 0;
  private retryTimer: unknown = null;
  private stopped = true;
  /** No reconnect until resume(): the session ended and the person has to sign in first. */
  private held = false;
  private readonly queue: string[] = [];
  private tokens: number;
  private refilled: number;
  private drainTimer: unknown = null;
  private readonly opts: Required<ConnectionOptions>;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
    options: ConnectionOptions = {},
  ) {
    this.opts = {
      createSocket: options.createSocket ?? ((u) => new WebSocket(u) as unknown as SocketLike),
      backoff: options.backoff ?? [250, 1000, 2000, 4000, 8000, 15000],
      rate: options.rate ?? 40,
      burst: options.burst ?? 80,
      now: options.now ?? (() => Date.now()),
      setTimer: options.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimer: options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)),
    };
    this.tokens = this.opts.burst;
    this.refilled = this.opts.now();
  }

  get isOpen(): boolean {
    return !!this.socket && this.socket.readyState === OPEN && this.wasOpen;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good (leaving the meeting). */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
    this.queue.length = 0;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      try {
        s.close(1000, 'leaving');
      } catch {
        /* already closed */
      }
    }
  }

  /** Drops the current connection (e.g. the browser went offline, or a resync is needed); it comes back by itself. */
  drop(reason = 'dropped'): void {
    const s = this.socket;
    if (!s) return;
    this.detach(s, 4000, reason);
    try {
      s.close(4000, reason);
    } catch {
      /* already closed */
    }
  }

  /**
   * Stops reconnecting until resume() (the server ended the session: a new connection would only be refused
   * until the person has signed in again). The current connection, if any, stays as it is.
   */
  hold(): void {
    this.held = true;
    this.cancelRetry();
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Ends a hold: connects at once. */
  resume(): void {
    this.held = false;
    this.reconnectNow();
  }

  /** Tries at once instead of waiting for the next attempt (the browser is online again). */
  reconnectNow(): void {
    if (this.stopped || this.held || this.socket) return;
    this.cancelRetry();
    this.attempts = 0;
    this.connect();
  }

  /** Queues a message; it is sent as soon as the connection and the rate allow. Dropped when closed. */
  send(data: string): void {
    if (!this.isOpen) return;
    this.queue.push(data);
    this.drain();
  }

  /** Replaces a queued message matching `same` that has not gone out yet, or queues this one. */
  sendLatest(data: string, same: (queued: string) => boolean): void {
    if (!this.isOpen) return;
    const i = this.queue.findIndex(same);
    if (i >= 0) this.queue[i] = data;
    else this.queue.push(data);
    this.drain();
  }

  private drain(): void {
    if (this.drainTimer !== null) return;
    const now = this.opts.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.refilled) / 1000) * this.opts.rate);
    this.refilled = now;
    while (this.queue.length > 0 && this.tokens >= 1 && this.socket && this.isOpen) {
      this.tokens -= 1;
      this.socket.send(this.queue.shift()!);
    }
    if (this.queue.length > 0 && this.isOpen) {
      const wait = Math.ceil(((1 - this.tokens) / this.opts.rate) * 1000);
      this.drainTimer = this.opts.setTimer(() => {
        this.drainTimer = null;
        this.drain();
      }, Math.max(wait, 5));
    }
  }

  private connect(): void {
    if (this.stopped || this.held) return;
    let s: SocketLike;
    try {
      s = this.opts.createSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = s;
    this.wasOpen = false;
    s.onopen = () => {
      if (this.socket !== s) return;
      this.wasOpen = true;
      this.attempts = 0;
      this.handlers.open();
    };
    s.onmessage = (ev) => {
      // One WebSocket message may carry several protocol messages, one per line (docs/protocol.md).
      const data = typeof ev.data === 'string' ? ev.data : String(ev.data);
      for (const line of data.split('\n')) {
        if (this.socket !== s) return; // dropped while handling an earlier line: the rest is moot
        this.handlers.message(line);
      }
    };
    s.onerror = () => {
      /* a close event follows */
    };
    s.onclose = (ev) => {
      if (this.socket !== s) return;
      this.detach(s, ev.code, ev.reason);
    };
  }

  private detach(s: SocketLike, code: number, reason: string): void {
    if (this.socket !== s) return;
    s.onclose = s.onmessage = s.onerror = s.onopen = null;
    const wasOpen = this.wasOpen;
    this.socket = null;
    this.wasOpen = false;
    this.queue.length = 0;
    if (this.drainTimer !== null) {
      this.opts.clearTimer(this.drainTimer);
      this.drainTimer = null;
    }
    this.handlers.closed({ code, reason, wasOpen });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.held) return;
    this.cancelRetry();
    const b = this.opts.backoff;
    const base = b[Math.min(this.attempts, b.length - 1)];
    ++this.attempts;
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) {
      this.opts.clearTimer(this.retryTimer);
      this.retryTimer = null;
    }
  }
}
