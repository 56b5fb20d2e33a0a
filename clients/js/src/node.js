// The client in Node: the core plus the disk spool (spoolDir) and an exit hook that spools what is still queued.
import { ClientCore } from "./client.js";
import { Spool, releaseHeld } from "./spool.js";

export { EventError } from "./event.js";
export { Refused, Unreachable } from "./http.js";
export { SpoolFull } from "./client.js";

const live = new Set();
let hooked = false;

function onExit() {
  // process.exit() or the loop running dry: no await is possible here, so what is still in memory is written to
  // the spool synchronously. The batch in flight goes too: if the server did store it, its ids make it harmless.
  // A drain or append under way will never finish: its lock is released first, so it cannot outlive the process.
  releaseHeld();
  for (const client of live) {
    const lines = client.takeUnsent();
    if (lines.length > 0 && !client.spool.appendSync(lines)) {
      process.emitWarning(`pulseboard: ${lines.length} events were lost at exit: another process holds the spool ${client.spool.path}`);
    }
  }
}

export class Client extends ClientCore {
  /** @param {import("../index.d.ts").ClientOptions} options */
  constructor(options = {}) {
    const spool = options.spoolDir != null ? new Spool(options.spoolDir, options.spoolMaxBytes ?? 64 * 1024 * 1024) : null;
    super(options, spool);
    this.spool = spool;
    if (spool !== null) {
      live.add(this);
      if (!hooked) {
        hooked = true;
        process.on("exit", onExit);
      }
    }
  }

  async close(timeoutMs = 10_000) {
    try {
      await super.close(timeoutMs);
    } finally {
      live.delete(this);
    }
  }
}
