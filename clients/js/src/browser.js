// The client in a browser: the same API, without the spool (a page has no disk to keep events on).
import { ClientCore } from "./client.js";

export { EventError } from "./event.js";
export { Refused, Unreachable } from "./http.js";
export { SpoolFull } from "./client.js";

export class Client extends ClientCore {
  constructor(options = {}) {
    if (options.spoolDir != null) {
      throw new TypeError("spoolDir: a browser has no disk spool; leave it out (undelivered events are reported to onError)");
    }
    super(options, null);
  }
}
