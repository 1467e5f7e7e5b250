/* The live sampler of "Hello, RNN!": the package's network, writing in your browser.
 *
 * This is hello_rnn's forward pass and sampling rule, written out once more in plain
 * JavaScript. For each character x_t (a one-hot vector, so W_xh x_t is one column of W_xh):
 *
 *   h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)     b_h = nn.RNN's bias_ih + bias_hh
 *   z_t = W_hy h_t + b_y                           the logits: a score per character
 *   p   = softmax(z_t / tau)                       tau = 0: the argmax (greedy)
 *
 * then top-k keeps the k likeliest characters (0 keeps them all), and one uniform draw u
 * in [0, 1) picks the first character whose cumulative probability exceeds u (the inverse
 * CDF). The draws come from mulberry32, a small seeded generator; torch's generator cannot
 * be reproduced here, so the same seed does not write what hello_rnn.generate writes, but
 * the same draws do (tests/test_live_sampler.py checks it against torch).
 *
 * The weights come from book/_ext/live_sampler.py, which exports the checkpoint shipped in
 * the package at build time: each weights file pushes {name, chars, hidden, weights} onto
 * window.helloRnnNetworks. Nothing is loaded from anywhere else.
 */
(function (root) {
  "use strict";

  // --- The network ---------------------------------------------------------------------

  function floats(base64, length) {
    // Little-endian float32, as the extension wrote them: the checkpoint's exact values.
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    if (bytes.length !== 4 * length) {
      throw new Error(`expected ${length} float32 values, got ${bytes.length} bytes`);
    }
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }

  class Network {
    constructor(spec) {
      const V = spec.chars.length;
      const H = spec.hidden;
      this.name = spec.name;
      this.chars = spec.chars;
      this.index = new Map(spec.chars.map((c, i) => [c, i]));
      this.V = V;
      this.H = H;
      const w = spec.weights;
      this.W_xh = floats(w.W_xh, H * V); // [H, V], row-major
      this.W_hh = floats(w.W_hh, H * H); // [H, H]
      this.b_h = floats(w.b_h, H); // [H]
      this.W_hy = floats(w.W_hy, V * H); // [V, H]
      this.b_y = floats(w.b_y, V); // [V]
    }

    // One step: the state h [H] and the character `index` in; the new state and z [V] out.
    step(h, index) {
      const { V, H, W_xh, W_hh, b_h, W_hy, b_y } = this;
      const next = new Float64Array(H);
      for (let i = 0; i < H; i++) {
        let sum = W_xh[i * V + index] + b_h[i];
        for (let j = 0; j < H; j++) sum += W_hh[i * H + j] * h[j];
        next[i] = Math.tanh(sum);
      }
      const z = new Float64Array(V);
      for (let k = 0; k < V; k++) {
        let sum = b_y[k];
        for (let i = 0; i < H; i++) sum += W_hy[k * H + i] * next[i];
        z[k] = sum;
      }
      return { h: next, z };
    }

    // Read `prefix` from a blank memory, h_0 = 0, as generate() does.
    read(prefix) {
      let state = { h: new Float64Array(this.H), z: null };
      for (const c of prefix) state = this.step(state.h, this.encode(c));
      return state;
    }

    encode(c) {
      const i = this.index.get(c);
      if (i === undefined) throw new UnknownCharacter(c);
      return i;
    }
  }

  class UnknownCharacter extends Error {
    constructor(c) {
      super(`the network does not know the character ${JSON.stringify(c)}`);
      this.character = c;
    }
  }

  // --- Sampling --------------------------------------------------------------------------

  // softmax(z / tau), then top-k (0: every character). tau = 0: the argmax, the first of equals.
  function probabilities(z, temperature, topK) {
    const V = z.length;
    const p = new Float64Array(V);
    let top = 0;
    for (let k = 1; k < V; k++) if (z[k] > z[top]) top = k;
    if (temperature === 0) {
      p[top] = 1;
      return p;
    }
    let total = 0;
    for (let k = 0; k < V; k++) {
      p[k] = Math.exp((z[k] - z[top]) / temperature); // shifted: never overflows
      total += p[k];
    }
    for (let k = 0; k < V; k++) p[k] /= total;
    if (topK > 0 && topK < V) {
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
      let kept = 0;
      for (const k of order.slice(topK)) p[k] = 0;
      for (const k of order.slice(0, topK)) kept += p[k];
      for (let k = 0; k < V; k++) p[k] /= kept;
    }
    return p;
  }

  // The inverse CDF: the first character whose cumulative probability exceeds u, in [0, 1).
  function pick(p, u) {
    let cumulative = 0;
    let last = 0;
    for (let k = 0; k < p.length; k++) {
      if (p[k] <= 0) continue;
      cumulative += p[k];
      last = k;
      if (u < cumulative) return k;
    }
    return last; // u just under 1, and the sum rounded just below it
  }

  // mulberry32: 32 bits of state, a uniform draw in [0, 1) per call.
  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // Write `length` characters after `prefix`, one at a time: yields each new character.
  // `draws`, when given, are the uniform numbers to use, in order (one per character);
  // otherwise mulberry32(seed) draws them.
  function* characters(network, { prefix, length, temperature = 1, topK = 0, seed = 0, draws = null }) {
    if (!prefix) throw new Error("the beginning must hold at least one character");
    const uniform = draws ? draws[Symbol.iterator]() : null;
    const random = mulberry32(seed);
    let state = network.read(prefix);
    for (let n = 0; n < length; n++) {
      const p = probabilities(state.z, temperature, topK);
      let index;
      if (temperature === 0) {
        index = p.indexOf(1);
      } else {
        const u = uniform ? uniform.next().value : random();
        if (u === undefined) throw new Error(`only ${n} draws given for ${length} characters`);
        index = pick(p, u);
      }
      yield network.chars[index];
      state = network.step(state.h, index);
    }
  }

  // --- The networks the page loaded --------------------------------------------------------

  const networks = {};
  function register(spec) {
    networks[spec.name] = new Network(spec);
  }
  const queued = root.helloRnnNetworks || [];
  queued.forEach(register);
  root.helloRnnNetworks = { push: register }; // a weights file loaded later registers at once

  function network(name) {
    const found = networks[name];
    if (!found) throw new Error(`no network ${JSON.stringify(name)} on this page`);
    return found;
  }

  const api = {
    networks,
    Network,
    UnknownCharacter,
    probabilities,
    pick,
    mulberry32,
    characters,
    // The whole text, prefix included, as hello_rnn.generate returns it.
    generate(name, options) {
      return options.prefix + Array.from(characters(network(name), options)).join("");
    },
    // softmax(z / tau) for the character after `prefix`, as an array (for the tests).
    nextProbabilities(name, prefix, temperature = 1, topK = 0) {
      return Array.from(probabilities(network(name).read(prefix).z, temperature, topK));
    },
  };
  root.helloRnnLiveSampler = api;

  // --- The controls on the page -----------------------------------------------------------

  // Characters written per animation frame: the text appears as it is sampled, at a pace a
  // reader can still follow (about 240 a second at 60 frames a second).
  const PER_FRAME = 4;

  function shown(c) {
    return c === "\n" ? "a line break" : c === " " ? "a space" : JSON.stringify(c);
  }

  function setUp(element) {
    const net = network(element.dataset.network);
    const $ = (selector) => element.querySelector(selector);
    const form = $(".live-sampler-controls");
    const prefixBox = $(".live-sampler-prefix");
    const temperature = $(".live-sampler-temperature");
    const temperatureShown = $(".live-sampler-temperature-value");
    const topK = $(".live-sampler-top-k");
    const seed = $(".live-sampler-seed");
    const length = $(".live-sampler-length");
    const stopButton = $(".live-sampler-stop");
    const output = $(".live-sampler-text");
    const status = $(".live-sampler-status");
    const problem = $(".live-sampler-problem");
    let run = null;

    const showTemperature = () => {
      temperatureShown.textContent = Number(temperature.value).toFixed(2);
    };
    temperature.addEventListener("input", showTemperature);
    showTemperature();

    function finish(how) {
      if (!run) return;
      cancelAnimationFrame(run.frame);
      const written = run.written;
      run.doneAt = performance.now();
      element.liveSampler.lastRun = {
        clickAt: run.clickAt,
        firstCharAt: run.firstCharAt,
        doneAt: run.doneAt,
        chars: written.length,
        text: run.prefix + written,
      };
      run = null;
      stopButton.disabled = true;
      element.dataset.state = how;
      const said = how === "done" ? "Finished" : "Stopped";
      // The one announcement of a run: the whole sample, once it is there.
      status.textContent = `${said}: ${written.length} characters after the beginning. ${written}`;
    }

    function start(clickAt) {
      finish("stopped");
      problem.hidden = true;
      const prefix = prefixBox.value;
      const unknown = [...prefix].filter((c) => !net.index.has(c));
      if (!prefix || unknown.length) {
        problem.textContent = !prefix
          ? "Type a beginning of at least one character."
          : `The network has never seen ${[...new Set(unknown)].map(shown).join(", ")}: ` +
            `it knows only the ${net.V} characters of its text.`;
        problem.hidden = false;
        element.dataset.state = "refused";
        return;
      }
      const options = {
        prefix,
        length: Math.max(1, Math.min(5000, Math.floor(Number(length.value)) || 1)),
        temperature: Number(temperature.value),
        topK: Math.max(0, Math.floor(Number(topK.value)) || 0),
        seed: Math.floor(Number(seed.value)) >>> 0,
      };
      const fallback = $(".live-sampler-fallback");
      if (fallback) fallback.hidden = true;
      output.hidden = false;
      output.replaceChildren();
      const bold = document.createElement("b");
      bold.textContent = prefix;
      const text = document.createTextNode("");
      output.append(bold, text);
      status.textContent = "";
      stopButton.disabled = false;
      element.dataset.state = "running";
      run = { clickAt, prefix, written: "", firstCharAt: null, frame: 0 };
      const mine = run;
      const source = characters(net, options);
      const frame = () => {
        if (run !== mine) return;
        let chunk = "";
        let done = false;
        for (let n = 0; n < PER_FRAME; n++) {
          const next = source.next();
          if (next.done) {
            done = true;
            break;
          }
          chunk += next.value;
        }
        if (chunk) {
          mine.written += chunk;
          text.appendData(chunk);
          if (mine.firstCharAt === null) mine.firstCharAt = performance.now();
        }
        if (done || mine.written.length >= options.length) finish("done");
        else mine.frame = requestAnimationFrame(frame);
      };
      frame(); // the first characters at once, in the click's own task
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      start(event.timeStamp || performance.now());
    });
    stopButton.addEventListener("click", () => finish("stopped"));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && run) finish("stopped");
      // Enter writes a line break in the beginning; Ctrl+Enter (or Cmd+Enter) generates.
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target === prefixBox) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    element.liveSampler = { lastRun: null, start };
    // Ready: the controls replace the sentence that says they need JavaScript.
    element.querySelectorAll(".live-sampler-needs-js").forEach((e) => (e.hidden = true));
    form.hidden = false;
    element.dataset.state = "ready";
  }

  if (typeof document !== "undefined") {
    const setUpAll = () => document.querySelectorAll(".live-sampler").forEach(setUp);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
    else setUpAll();
  }
})(typeof window !== "undefined" ? window : globalThis);
