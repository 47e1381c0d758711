// AudioWorklet: hands the page the input's first channel in 20 ms blocks (at the context's rate,
// 16 kHz here) with the context time of each block's end; outputs silence.
class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(Math.round(sampleRate / 50));
    this.fill = 0;
  }

  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (input) {
      let i = 0;
      while (i < input.length) {
        const n = Math.min(input.length - i, this.block.length - this.fill);
        this.block.set(input.subarray(i, i + n), this.fill);
        this.fill += n;
        i += n;
        if (this.fill === this.block.length) {
          this.port.postMessage({ samples: this.block, time: currentTime + i / sampleRate });
          this.block = new Float32Array(this.block.length);
          this.fill = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("capture", Capture);
