// The disk spool (Node): NDJSON batches the server could not take, oldest first, bounded, shared by the processes
// that use the same folder.
//
// Two locks, as in the Python client, so that no process waits for a server to append to the spool:
// - spool.js.lock is held only while the spool's files are read or written, never across a network call: another
//   process appending to the same folder waits for a file operation, not for a server.
// - spool.js.drain.lock is held by the one process sending the spool, across its requests. It is taken without
//   waiting: when another process is sending the spool, this one leaves it to that one (which sends what this one
//   spooled too) and looks again later.
// Between the read of the spool and the removal of what was sent, other processes may append (at the end) or drop
// the oldest lines to make room (at the start); the removal (#forget) takes both into account.
//
// Each lock is one line of JSON naming its owner: { pid, nonce, host, started }. The nonce is random per process;
// started is the process's start time (Linux: /proc/<pid>/stat), when it can be read.
// - Taking a free lock: the owner line goes into a private file first, then link() gives it the lock's name. That is
//   atomic and fails when the name exists, so a lock is never seen empty or half written.
// - A lock is stale when its owner is gone. On this host: its pid is dead; or its pid is ours but the nonce is not (an
//   earlier run that got the same pid, as pid 1 in a container does after every restart, or a process.exit() that
//   left it mid-drain); or its pid is alive but started at another time (the pid was reused). Another host (a
//   folder shared between containers or machines) cannot be asked about its pids: its lock is stale once it has not
//   been touched for STALE_MS; a holder touches its lock every TOUCH_MS. A lock line that cannot be read (torn by a
//   crash of an older version, or another format) is stale once it is STALE_MS old.
// - Taking over a stale lock: first a claim, an exclusive create ('wx') of <lock>.<its nonce>.<k>, so one process
//   alone takes over a given stale lock; then, only if the lock still names the stale owner, the claimer's line is
//   renamed over it and read back. A claim whose claimer died mid-takeover is never deleted while others may look
//   at it: the next one uses k + 1. Two processes can therefore never both take over a dead owner's lock.
// - Within one process, a lock is held by one Spool at a time (others wait for spool.js.lock, as other processes
//   do, and leave the drain to the holder of spool.js.drain.lock); at exit, the locks this process still holds are
//   released (a drain cut by process.exit() never finishes).
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const CHUNK_BYTES = 4 * 1024 * 1024; // one request of spooled events, cut at a line end (the server takes 8 MiB)
const NEWLINE = 0x0a;
const STALE_MS = 60_000;
const TOUCH_MS = 5_000;
const MAX_CLAIMS = 64;
const EXIT_WAIT_MS = 2_000;
const me = { pid: process.pid, nonce: crypto.randomBytes(12).toString("hex"), host: os.hostname(), started: startTime(process.pid) };
const myLine = JSON.stringify(me);
const heldHere = new Map(); // lock path -> its touch timer: the locks this process holds

/** `spool.ndjson` in `folder` (the C# and Python clients' format). Outside spool.js.lock the file holds exactly the undelivered events. */
export class Spool {
  constructor(folder, maxBytes) {
    fs.mkdirSync(folder, { recursive: true });
    this.path = path.join(path.resolve(folder), "spool.ndjson");
    this.lockPath = path.join(path.resolve(folder), "spool.js.lock");
    this.drainLockPath = path.join(path.resolve(folder), "spool.js.drain.lock");
    this.maxBytes = maxBytes;
  }

  size() {
    try {
      return fs.statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** Takes the file lock (spool.js.lock) once: true when taken; a stale lock (see the top of this file) is taken over. */
  tryLock() {
    return tryTake(this.lockPath);
  }

  /** Releases the file lock this process holds (a no-op when it holds none). */
  unlock() {
    release(this.lockPath);
  }

  /** Runs work() under the file lock, waiting for it while another owner reads or writes the spool (never long). */
  async #locked(work) {
    for (let wait = 5; !this.tryLock(); wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, wait)); // another live owner is using the spool's files
    }
    try {
      return await work();
    } finally {
      this.unlock();
    }
  }

  /** Appends whole lines (fsynced); when the spool would pass its bound the oldest lines go. Resolves to how many went. */
  append(lines) {
    return this.#locked(async () => {
      const body = Buffer.from(lines.join(""));
      const size = this.size();
      if (size + body.length > this.maxBytes) return this.#makeRoom(await readOrEmpty(this.path), body);
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

  /**
   * The exit hook's append: synchronous. The file lock is only ever held for a file operation, so it waits for it a
   * little (EXIT_WAIT_MS at most); false when it is still taken then (the lines are lost, and the hook says so).
   */
  appendSync(lines) {
    // The exit hook releases this process's locks first (releaseHeld): a drain or append under way will never
    // finish, and a drain's sent lines stay in the file and go again, harmless with their ids.
    for (let waited = 0, wait = 1; !this.tryLock(); waited += wait, wait = Math.min(wait * 2, 100)) {
      if (waited >= EXIT_WAIT_MS) return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait); // no event loop at exit: a plain sleep
    }
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
      this.unlock();
    }
  }

  async #makeRoom(data, body) {
    const all = data.length > 0 && data[data.length - 1] !== NEWLINE ? Buffer.concat([data, Buffer.from("\n"), body]) : Buffer.concat([data, body]);
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

  /**
   * Sends the spool oldest first, send(chunk, lines) per chunk, until it is empty or send throws; what was sent goes
   * from the file, the rest stays. The file lock is held only to read the file and to remove what was sent, not
   * while send runs. Resolves true when this process sent the spool; false when another process (or another Spool
   * of this one) is sending it now: that one sends what this one spooled too.
   */
  async drain(send) {
    if (!tryTake(this.drainLockPath)) return false;
    try {
      const data = await this.#locked(() => readOrEmpty(this.path));
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
        // The sent part must not go twice (though its ids would make that harmless).
        if (sent > 0) await this.#locked(() => this.#forget(data, sent));
      }
      return true;
    } finally {
      release(this.drainLockPath);
    }
  }

  /**
   * Under the file lock: removes data[0, sent) (read earlier, now sent) from the file, keeping what other processes
   * appended since. When the oldest lines were dropped to make room meanwhile, the file starts inside data, at a
   * line start: only what of the sent part is still there goes. When neither can be told, the file stays as it is:
   * sent events going again is harmless (their ids), losing one is not.
   */
  async #forget(data, sent) {
    const current = await readOrEmpty(this.path);
    let rest = current;
    if (startsWith(current, data.subarray(0, sent))) rest = current.subarray(sent);
    else {
      const first = current.subarray(0, current.indexOf(NEWLINE) + 1);
      for (let start = first.length > 0 ? data.indexOf(first) : -1; start >= 0; start = data.indexOf(first, start + 1)) {
        if ((start === 0 || data[start - 1] === NEWLINE) && startsWith(current, data.subarray(start))) {
          rest = current.subarray(Math.max(sent - start, 0));
          break;
        }
      }
    }
    let blank = 0; // a newline another process wrote after a torn last line the drain sent: not an event
    while (blank < rest.length && rest[blank] === NEWLINE) blank++;
    rest = rest.subarray(blank);
    if (rest.length === 0) await fsp.rm(this.path, { force: true });
    else if (rest.length !== current.length) await this.#replace(rest);
  }
}

/** At exit: releases every lock this process holds (what held it will never run again). */
export function releaseHeld() {
  for (const lockPath of [...heldHere.keys()]) release(lockPath);
}

/** Takes the lock at lockPath once: true when taken; a stale lock (see the top of this file) is taken over. */
function tryTake(lockPath) {
  if (heldHere.has(lockPath)) return false; // another Spool of this process holds it
  for (let round = 0; round < 8; round++) {
    if (create(lockPath)) return took(lockPath);
    const text = readText(lockPath);
    if (text === null) continue; // released meanwhile
    if (!stale(text, lockPath)) return false;
    if (takeOver(lockPath, text)) return took(lockPath);
  }
  return false; // taken and released again and again meanwhile: busy, as a live owner is
}

function took(lockPath) {
  const timer = setInterval(() => touch(lockPath), TOUCH_MS); // tells other hosts the owner lives
  timer.unref?.();
  heldHere.set(lockPath, timer);
  return true;
}

function release(lockPath) {
  const timer = heldHere.get(lockPath);
  if (timer === undefined) return;
  clearInterval(timer);
  heldHere.delete(lockPath);
  if (readText(lockPath) === myLine) remove(lockPath);
}

/** Creates the lock with our line, atomically: false when it exists. */
function create(lockPath) {
  const temporary = `${lockPath}.${me.nonce}.new`;
  fs.writeFileSync(temporary, myLine);
  try {
    fs.linkSync(temporary, lockPath);
    return true;
  } catch (error) {
    if (error.code === "EEXIST") return false;
    if (!["EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP"].includes(error.code)) throw error;
    try { // a file system without hard links: an exclusive create; a reader may see it empty for a moment
      fs.writeFileSync(lockPath, myLine, { flag: "wx" });
      return true;
    } catch (inner) {
      if (inner.code === "EEXIST") return false;
      throw inner;
    }
  } finally {
    remove(temporary);
  }
}

/** Takes over the stale lock whose line is `text`: claims it, checks it is unchanged, renames ours over it. */
function takeOver(lockPath, text) {
  const owner = parseOwner(text);
  const tag = typeof owner?.nonce === "string" && /^[0-9a-f]{1,64}$/.test(owner.nonce)
    ? owner.nonce : crypto.createHash("sha256").update(text).digest("hex").slice(0, 24);
  for (let k = 1; k <= MAX_CLAIMS; k++) {
    const claim = `${lockPath}.${tag}.${k}`;
    try {
      fs.writeFileSync(claim, myLine, { flag: "wx" });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const claimer = readText(claim);
      if (claimer === null || !stale(claimer, claim)) return false; // being taken over now, or done: look again
      continue; // its claimer died mid-takeover: its claim stays (others may be reading it); the next one
    }
    try {
      if (readText(lockPath) !== text) return false; // taken over, or released, meanwhile
      const temporary = `${lockPath}.${me.nonce}.new`;
      fs.writeFileSync(temporary, myLine);
      fs.renameSync(temporary, lockPath);
      return readText(lockPath) === myLine;
    } finally {
      for (let j = k; j >= 1; j--) remove(`${lockPath}.${tag}.${j}`); // ours, and those of dead claimers
    }
  }
  return false;
}

/** Whether the lock (or claim) `file`, whose line is `text`, belongs to no live owner. */
function stale(text, file) {
  const owner = parseOwner(text);
  if (owner === null) return age(file) > STALE_MS; // being written, or not ours to read: wait a while
  if (owner.host !== undefined && owner.host !== me.host) return age(file) > STALE_MS; // its pids are not ours to ask
  if (owner.pid === me.pid) return owner.nonce !== me.nonce || !heldHere.has(file); // an earlier run with our pid
  if (!alive(owner.pid)) return true;
  const started = owner.started == null ? null : startTime(owner.pid);
  return started !== null && started !== owner.started; // the pid was reused
}

/** The owner a lock line names: { pid, nonce?, host?, started? }, or null. A bare pid is an older client's lock. */
function parseOwner(text) {
  if (/^[1-9][0-9]{0,9}$/.test(text.trim())) return { pid: Number(text.trim()) };
  try {
    const owner = JSON.parse(text);
    return owner !== null && typeof owner === "object" && Number.isInteger(owner.pid) && owner.pid > 0 ? owner : null;
  } catch {
    return null;
  }
}

/** The start time of process `pid` (Linux, in clock ticks since boot, as text), or null where it cannot be read. */
function startTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function age(file) {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function touch(file) {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // gone: the next tryLock of whoever looks will say so
  }
}

function remove(file) {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Whether buffer begins with prefix, byte for byte. */
function startsWith(buffer, prefix) {
  return buffer.length >= prefix.length && buffer.subarray(0, prefix.length).equals(prefix);
}

async function readOrEmpty(file) {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    if (error.code === "ENOENT") return Buffer.alloc(0);
    throw error;
  }
}

function readText(file) { // null when there is no such file
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
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
