// The page: load the avatar, then drive it from the microphone or an audio file.
//
// Audio runs in a 16 kHz AudioContext (the browser resamples the microphone or the file); an
// AudioWorklet hands over 20 ms blocks, which go through the mouth stepper in order, all of
// them (audio is never dropped). Each emitted video frame replaces the one waiting to be drawn
// (newest wins; a replaced one counts as dropped), and no frame is drawn while audio blocks wait,
// so the audio clock drives the video at 25 fps and a slow machine drops frames, not time.
// After a few silent frames the source loop is shown as it is, like the desktop engine.
// Latency, on the audio clock: from the moment the audio at a frame's centre went through the
// AudioContext (the worklet stamps each block with the context time) to the frame drawn.

import { loadAvatar, loopIndex } from "./avatar.js";

const $ = (id) => document.getElementById(id);
const MAX_BACKLOG = 4; // audio blocks (20 ms each) allowed to wait while a frame is drawn
const canvas = $("view");
const ctx = canvas.getContext("2d", { willReadFrequently: true, alpha: false });
let avatar = null;
let session = null;

function say(text, error = false) {
  $("message").textContent = text;
  $("message").className = error ? "error" : "";
}

// Let queued events (audio blocks from the worklet) in before going on: a macrotask turn.
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

function percentile(values, q) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

class LiveSession {
  constructor(av, kind) {
    this.av = av;
    this.kind = kind;
    this.stepper = av.newStepper();
    this.chunks = []; // {end (samples), time (context s)} of recent blocks
    this.samples = 0;
    this.queue = Promise.resolve();
    this.backlog = 0; // audio blocks received and not yet through the stepper
    this.pending = null;
    this.rendering = false;
    this.silentRun = 0;
    this.shown = [];
    this.latencies = [];
    this.trace = []; // {j, opening, rms, idle}
    this.dropped = 0;
    this.emitted = 0;
    this.stopped = false;
    this.live = av.meta.live;
  }

  async start(connectInput) {
    this.ac = new AudioContext({ sampleRate: 16000, latencyHint: "interactive" });
    await this.ac.audioWorklet.addModule("capture.worklet.js");
    this.node = new AudioWorkletNode(this.ac, "capture", { numberOfOutputs: 1 });
    this.node.port.onmessage = (e) => this.onBlock(e.data.samples, e.data.time);
    const mute = this.ac.createGain();
    mute.gain.value = 0;
    this.node.connect(mute).connect(this.ac.destination);
    await connectInput(this.ac, this.node);
    await this.ac.resume();
  }

  onBlock(samples, time) {
    if (this.stopped) return;
    this.samples += samples.length;
    this.chunks.push({ end: this.samples, time });
    if (this.chunks.length > 200) this.chunks.shift();
    let s = 0;
    for (const v of samples) s += v * v;
    const db = 10 * Math.log10(Math.max(s / samples.length, 1e-12));
    $("level").firstElementChild.style.width = `${Math.min(Math.max((db + 60) / 60, 0), 1) * 100}%`;
    this.backlog++;
    this.queue = this.queue
      .then(() => this.pump(samples))
      .catch((err) => this.fail(err))
      .finally(() => this.backlog--);
  }

  // Context time (s) at which the sample with index s went through the audio graph.
  arrival(s) {
    for (const c of this.chunks) if (c.end >= s) return c.time - (c.end - s) / 16000;
    const last = this.chunks[this.chunks.length - 1];
    return last.time + (s - last.end) / 16000;
  }

  // The audio clock now (context seconds): the processing time the worklet stamps blocks with.
  clock() {
    return this.ac.currentTime;
  }

  async pump(samples) {
    for (const f of await this.stepper.push(samples)) {
      this.silentRun = f.rms < this.live.silence_rms ? this.silentRun + 1 : 0;
      const idle = this.silentRun > this.live.idle_after_frames;
      const centre = ((f.index + 0.5) * 16000) / this.av.fps;
      this.emitted++;
      if (this.pending) this.dropped++;
      this.pending = { j: f.index, coeffs: idle ? null : f.coeffs, raw: f.coeffs, rms: f.rms, t: this.arrival(centre) };
    }
    if (!this.rendering && this.pending) this.drawLoop();
  }

  async drawLoop() {
    this.rendering = true;
    try {
      while (this.pending && !this.stopped) {
        await yieldToEvents();
        if (this.backlog > MAX_BACKLOG) {
          // audio first: catch the stepper up (the frames it emits meanwhile replace each other)
          await this.queue;
          continue;
        }
        const task = this.pending;
        this.pending = null;
        const timing = await this.av.renderFrame(ctx, task.j, task.coeffs);
        const now = performance.now();
        this.shown.push(now);
        this.latencies.push((this.clock() - task.t) * 1000);
        if (this.latencies.length > 100) this.latencies.shift();
        const opening = this.av.opening(loopIndex(this.av.n, task.j), task.raw);
        this.trace.push({ j: task.j, opening, rms: task.rms, idle: !task.coeffs, t: now, ms: timing });
        if (this.trace.length > 2000) this.trace.shift();
        this.readout(opening);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.rendering = false;
    }
  }

  fps() {
    const now = performance.now();
    while (this.shown.length && this.shown[0] < now - 2000) this.shown.shift();
    return this.shown.length / 2;
  }

  readout(opening) {
    $("fps").textContent = this.fps().toFixed(1);
    const p50 = percentile(this.latencies, 0.5);
    const p95 = percentile(this.latencies, 0.95);
    $("latency").textContent = `${p50.toFixed(0)} ms (p95 ${p95.toFixed(0)})`;
    $("dropped").textContent = String(this.dropped);
    $("opening").textContent = opening.toFixed(3);
  }

  fail(err) {
    say(`Stopped: ${err.message || err}`, true);
    this.stop();
  }

  async stop() {
    this.stopped = true;
    if (this.media) for (const t of this.media.getTracks()) t.stop();
    if (this.ac) await this.ac.close();
  }

  stats() {
    return {
      kind: this.kind,
      samples: this.samples,
      audio_time_s: this.ac ? this.ac.currentTime : 0,
      fps: this.fps(),
      shown: this.trace.length,
      emitted: this.emitted,
      dropped: this.dropped,
      latency_p50_ms: percentile(this.latencies, 0.5),
      latency_p95_ms: percentile(this.latencies, 0.95),
      inherent_latency_ms: this.stepper.inherentLatencyMs,
      trace: this.trace.slice(),
    };
  }
}

function micMessage(err) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    return "This page cannot reach a microphone here: open it over https or from localhost.";
  if (err.name === "NotAllowedError" || err.name === "SecurityError")
    return "The microphone was refused. Allow it in the browser's site settings, or play an audio file instead.";
  if (err.name === "NotFoundError" || err.name === "OverconstrainedError")
    return "No microphone was found. Plug one in, or play an audio file instead.";
  if (err.name === "NotReadableError") return "The microphone is in use by another program or could not be opened.";
  return `The microphone could not be started (${err.name || "error"}: ${err.message}).`;
}

function setRunning(running) {
  $("mic").disabled = running;
  $("file").disabled = running;
  $("file-label").classList.toggle("disabled", running);
  $("stop").disabled = !running;
}

async function startMic() {
  await stop();
  const s = new LiveSession(avatar, "microphone");
  try {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new TypeError("no mediaDevices");
    s.media = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
  } catch (err) {
    say(micMessage(err), true);
    return null;
  }
  session = s;
  try {
    await s.start(async (ac, node) => ac.createMediaStreamSource(s.media).connect(node));
  } catch (err) {
    await stop();
    say(`The audio could not be started (${err.message || err}).`, true);
    return null;
  }
  setRunning(true);
  say("Listening: speak and the avatar speaks with you.");
  return s;
}

async function startFile(file) {
  await stop();
  const s = new LiveSession(avatar, "file");
  session = s;
  try {
    await s.start(async (ac, node) => {
      const buffer = await ac.decodeAudioData(await file.arrayBuffer());
      const src = ac.createBufferSource();
      src.buffer = buffer;
      src.connect(node);
      // what you hear waits for the mouth (window + lookahead + one frame to draw)
      const delay = ac.createDelay(1);
      delay.delayTime.value = (s.stepper.inherentLatencyMs + 1000 / avatar.fps) / 1000;
      src.connect(delay).connect(ac.destination);
      src.onended = () => {
        s.queue = s.queue.then(async () => {
          const rest = await s.stepper.flush();
          if (rest.length) {
            const f = rest.at(-1);
            s.pending = { j: f.index, coeffs: f.coeffs, raw: f.coeffs, rms: f.rms, t: s.clock() };
            if (!s.rendering) await s.drawLoop();
          }
          setTimeout(() => stop().then(() => say(`Played ${file.name}.`)), 1000);
        });
      };
      src.start();
    });
  } catch (err) {
    await stop();
    say(`${file.name} could not be played (${err.message || err}); try a WAV, MP3 or OGG file.`, true);
    return null;
  }
  setRunning(true);
  say(`Playing ${file.name}…`);
  return s;
}

async function stop() {
  if (session) {
    await session.stop();
    session = null;
  }
  setRunning(false);
}

function parseWav(buf) {
  const v = new DataView(buf);
  let off = 12;
  let fmt = null;
  while (off + 8 <= v.byteLength) {
    const id = String.fromCharCode(v.getUint8(off), v.getUint8(off + 1), v.getUint8(off + 2), v.getUint8(off + 3));
    const size = v.getUint32(off + 4, true);
    if (id === "fmt ") fmt = { channels: v.getUint16(off + 10, true), rate: v.getUint32(off + 12, true), bits: v.getUint16(off + 22, true) };
    if (id === "data") {
      if (!fmt || fmt.bits !== 16 || fmt.channels !== 1 || fmt.rate !== 16000)
        throw new Error("renderAt needs 16 kHz mono 16-bit PCM WAV");
      const out = new Float32Array(size / 2);
      for (let i = 0; i < out.length; i++) out[i] = v.getInt16(off + 8 + 2 * i, true) / 32768;
      return out;
    }
    off += 8 + size + (size & 1);
  }
  throw new Error("no data chunk in the WAV file");
}

// Deterministic hook for tests: the whole 16 kHz WAV at `url` through a fresh stepper (pushed,
// then flushed, as `dhstudio render` does), output frame j drawn; coefficients and a PNG back.
async function renderAt(url, j) {
  await stop();
  const samples = parseWav(await (await fetch(url)).arrayBuffer());
  const stepper = avatar.newStepper();
  const frames = [...(await stepper.push(samples)), ...(await stepper.flush())];
  const f = frames.find((x) => x.index === j);
  if (!f) throw new Error(`frame ${j} is past the audio (${frames.length} frames)`);
  const timing = await avatar.renderFrame(ctx, j, f.coeffs);
  return {
    coeffs: frames.map((x) => Array.from(x.coeffs)),
    k: timing.k,
    png: canvas.toDataURL("image/png"),
  };
}

async function main() {
  const t0 = performance.now();
  try {
    avatar = await loadAvatar((what) => say(`Loading ${what}…`));
  } catch (err) {
    say(`The avatar could not be loaded: ${err.message || err}`, true);
    window.dhAvatar = { error: String(err) };
    return;
  }
  canvas.width = avatar.width;
  canvas.height = avatar.height;
  await avatar.renderFrame(ctx, 0, null);
  const loadMs = performance.now() - t0;
  $("backend").textContent = avatar.backend;
  setRunning(false);
  say(`Ready in ${(loadMs / 1000).toFixed(1)} s. Start the microphone or play an audio file.`);
  $("mic").onclick = () => startMic();
  $("stop").onclick = () => stop().then(() => say("Stopped."));
  $("file").onchange = (e) => e.target.files[0] && startFile(e.target.files[0]);
  window.dhAvatar = {
    ready: true,
    loadMs,
    backend: avatar.backend,
    startMic: async () => Boolean(await startMic()),
    stop,
    stats: () => (session ? session.stats() : null),
    message: () => $("message").textContent,
    renderAt,
  };
}

main();
