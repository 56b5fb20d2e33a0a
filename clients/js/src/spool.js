// The disk spool (Node): NDJSON batches the server could not take, oldest first, bounded, shared by the processes
// that use the same folder one at a time through a lock file that names its owner's pid.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";

const CHUNK_BYTES = 4 * 1024 * 1024; // one request of spooled events, cut at a line end (the server takes 8 MiB)
const NEWLINE = 0x0a;

/** `spool.ndjson` in `folder` (the C# and Python clients' format). Outside the lock the file holds exactly the undelivered events. */
export class Spool {
  #held = false; // this process holds the lock (a drain or an append is under way)

  constructor(folder, maxBytes) {
    fs.mkdirSync(folder, { recursive: true });
    this.path = path.join(path.resolve(folder), "spool.ndjson");
    this.lockPath = path.join(path.resolve(folder), "spool.js.lock");
    this.maxBytes = maxBytes;
  }

  size() {
    try {
      return fs.statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** Takes the lock once: true when taken; a lock whose owner died is taken over. */
  tryLock() {
    for (;;) {
      try {
        fs.writeFileSync(this.lockPath, String(process.pid), { flag: "wx" });
        return true;
      } catch (error) {
        if (error.code !== "EEXIST") throw error;
      }
      const text = readText(this.lockPath);
      const owner = Number.parseInt(text, 10);
      if (Number.isInteger(owner) && owner > 0 ? alive(owner) : text === "" && fresh(this.lockPath)) return false;
      try {
        fs.unlinkSync(this.lockPath); // its owner is gone (killed): nothing holds it
      } catch (error) {
        if (error.code !== "ENOENT") throw error;
      }
    }
  }

  unlock() {
    try {
      fs.unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }

  async #locked(work) {
    for (let wait = 5; !this.tryLock(); wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, wait)); // another live process is using the spool
    }
    this.#held = true;
    try {
      return await work();
    } finally {
      this.#held = false;
      this.unlock();
    }
  }

  /** Appends whole lines (fsynced); when the spool would pass its bound the oldest lines go. Resolves to how many went. */
  append(lines) {
    return this.#locked(async () => {
      const body = Buffer.from(lines.join(""));
      const size = this.size();
      if (size + body.length > this.maxBytes) return this.#makeRoom(await fsp.readFile(this.path).catch(() => Buffer.alloc(0)), body);
      const file = await fsp.open(this.path, "a+");
      try {
        if (size > 0) {
          const last = Buffer.alloc(1);
          await file.read(last, 0, 1, size - 1);
          if (last[0] !== NEWLINE) await file.write("\n"); // a line torn by a kill stays one bad line, not glued to ours
        }
        await file.write(body);
        await file.sync(); // the point of the spool is to survive the agent
      } finally {
        await file.close();
      }
      return 0;
    });
  }

  /** The exit hook's append: synchronous, and only if the lock is free now (else the lines are lost, and it says so). */
  appendSync(lines) {
    // Held by this process: the drain or append under way will never finish (the process is ending), so writing
    // now is safe; a drain's sent lines stay in the file and go again, harmless with their ids.
    const mine = this.#held;
    if (!mine && !this.tryLock()) return false;
    try {
      const file = fs.openSync(this.path, "a+");
      try {
        const size = fs.fstatSync(file).size;
        const last = Buffer.alloc(1);
        const torn = size > 0 && fs.readSync(file, last, 0, 1, size - 1) === 1 && last[0] !== NEWLINE;
        fs.writeSync(file, (torn ? "\n" : "") + lines.join(""));
        fs.fsyncSync(file);
      } finally {
        fs.closeSync(file);
      }
      return true;
    } finally {
      if (!mine) this.unlock();
    }
  }

  async #makeRoom(data, body) {
    let all = data.length > 0 && data[data.length - 1] !== NEWLINE ? Buffer.concat([data, Buffer.from("\n"), body]) : Buffer.concat([data, body]);
    let cut = 0;
    let dropped = 0;
    while (all.length - cut > this.maxBytes) {
      const end = all.indexOf(NEWLINE, cut);
      cut = end < 0 ? all.length : end + 1;
      dropped++;
    }
    await this.#replace(all.subarray(cut));
    return dropped;
  }

  async #replace(data) {
    const temporary = `${this.path}.tmp`;
    const file = await fsp.open(temporary, "w");
    try {
      await file.write(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await fsp.rename(temporary, this.path);
  }

  /** Under the lock, sends the spool oldest first with send(chunk, lines) until empty or send throws; the sent part goes. */
  drain(send) {
    return this.#locked(async () => {
      const data = await fsp.readFile(this.path).catch(() => Buffer.alloc(0));
      let sent = 0;
      try {
        while (sent < data.length) {
          let end = data.length;
          if (data.length - sent > CHUNK_BYTES) {
            end = data.lastIndexOf(NEWLINE, sent + CHUNK_BYTES - 1) + 1;
            if (end <= sent) { // one line longer than a chunk: it goes alone
              const newline = data.indexOf(NEWLINE, sent);
              end = newline < 0 ? data.length : newline + 1;
            }
          }
          const chunk = data.subarray(sent, end);
          let lines = 0;
          for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
          if (chunk[chunk.length - 1] !== NEWLINE) lines++;
          await send(chunk, lines);
          sent = end;
        }
      } finally {
        if (sent === data.length) await fsp.rm(this.path, { force: true });
        else if (sent > 0) await this.#replace(data.subarray(sent)); // the sent part must not go twice
      }
    });
  }
}

function readText(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function fresh(file) { // an empty lock is being written by its owner, unless it has been empty for a while
  try {
    return Date.now() - fs.statSync(file).mtimeMs < 5000;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
