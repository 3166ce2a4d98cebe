// TF.js peers of prunelab's browser training benchmark: the same three networks as
// crates/prunelab-models (LeNet-300-100, the small CNN, OpenLTH's ResNet-20 with 1×1-conv + BN
// projection shortcuts), written with TF.js ops (NHWC), trained with SGD + momentum 0.9 on random
// images: forward, softmax cross-entropy, backward, update. `window.tfjsBench(backend, model,
// batch, steps)` resolves to milliseconds per step after `steps` warm-up steps.
//
// The wasm backend has no Conv2DBackpropFilter, so on it every convolution carries its own
// gradient through tf.customGrad: dx by conv2dTranspose, dW as a convolution of the (padded)
// input with dy, batch and channels swapped, dilated by the stride.

/* global tf */

function convWithGrad(x, w, stride, pad) {
  return tf.customGrad((x, w, save) => {
    save([x, w]);
    const y = tf.conv2d(x, w, stride, pad);
    return {
      value: y,
      gradFunc: (dy, [x, w]) => {
        const [kh, kw] = w.shape;
        const dx = tf.conv2dTranspose(dy, w, x.shape, stride, pad);
        // TF's 'same' padding: total = (out − 1)·stride + k − in, the odd one after.
        const same = (size, k) => {
          const total = Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0);
          return [total >> 1, total - (total >> 1)];
        };
        const p = pad === 'same' ? [[0, 0], same(x.shape[1], kh), same(x.shape[2], kw), [0, 0]] : [[0, 0], [0, 0], [0, 0], [0, 0]];
        // [n, h, w, cin] → [cin, h, w, n]: the batch becomes the channels being reduced over.
        const xt = tf.transpose(tf.pad(x, p), [3, 1, 2, 0]);
        // dy [n, oh, ow, cout] → filter [oh, ow, n, cout], dilated by the stride.
        const dyt = tf.transpose(dy, [1, 2, 0, 3]);
        let dw = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', stride);
        dw = tf.slice(dw, [0, 0, 0, 0], [w.shape[2], kh, kw, w.shape[3]]);
        return [dx, tf.transpose(dw, [1, 2, 0, 3])];
      },
    };
  })(x, w);
}

function makeNet(model, wasm) {
  const vars = [];
  const v = (shape, scale) => {
    const t = tf.variable(scale === 0 ? tf.zeros(shape) : scale === 1 ? tf.ones(shape) : tf.randomNormal(shape, 0, scale));
    vars.push(t);
    return t;
  };
  const conv = (x, w, stride, pad) => (wasm ? convWithGrad(x, w, stride, pad) : tf.conv2d(x, w, stride, pad));
  const convW = (k, cin, cout) => v([k, k, cin, cout], Math.sqrt(2 / (k * k * cin)));
  const dense = (cin, cout) => [v([cin, cout], Math.sqrt(2 / cin)), v([cout], 0)];
  const bn = (c) => {
    const [g, b] = [v([c], 1), v([c], 0)];
    return (x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-5);
    };
  };
  if (model === 'lenet300') {
    const [l1, l2, l3] = [dense(784, 300), dense(300, 100), dense(100, 10)];
    const fc = (x, [w, b]) => tf.add(tf.matMul(x, w), b);
    return { vars, shape: [28, 28, 1], forward: (x) => fc(tf.relu(fc(tf.relu(fc(tf.reshape(x, [x.shape[0], 784]), l1)), l2)), l3) };
  }
  if (model === 'cnn') {
    const [w1, b1, w2, b2] = [convW(3, 1, 32), v([32], 0), convW(3, 32, 64), v([64], 0)];
    const [f1, f2] = [dense(64 * 7 * 7, 128), dense(128, 10)];
    const fc = (x, [w, b]) => tf.add(tf.matMul(x, w), b);
    const block = (x, w, b) => tf.maxPool(tf.relu(tf.add(conv(x, w, 1, 'same'), b)), 2, 2, 'valid');
    return {
      vars,
      shape: [28, 28, 1],
      forward: (x) => {
        const h = block(block(x, w1, b1), w2, b2);
        return fc(tf.relu(fc(tf.reshape(h, [h.shape[0], 64 * 7 * 7]), f1)), f2);
      },
    };
  }
  if (model === 'resnet20') {
    const stem = [convW(3, 3, 16), bn(16)];
    const blocks = [];
    let cin = 16;
    for (const [stage, width] of [16, 32, 64].entries()) {
      for (let i = 0; i < 3; i++) {
        const down = stage > 0 && i === 0;
        blocks.push({
          stride: down ? 2 : 1,
          c1: convW(3, cin, width), bn1: bn(width), c2: convW(3, width, width), bn2: bn(width),
          shortcut: down || cin !== width ? [convW(1, cin, width), bn(width)] : null,
        });
        cin = width;
      }
    }
    const head = dense(64, 10);
    return {
      vars,
      shape: [32, 32, 3],
      forward: (x) => {
        let h = tf.relu(stem[1](conv(x, stem[0], 1, 'same')));
        for (const b of blocks) {
          const out = b.bn2(conv(tf.relu(b.bn1(conv(h, b.c1, b.stride, 'same'))), b.c2, 1, 'same'));
          const skip = b.shortcut ? b.shortcut[1](conv(h, b.shortcut[0], 2, 'valid')) : h;
          h = tf.relu(tf.add(out, skip));
        }
        return tf.add(tf.matMul(tf.mean(h, [1, 2]), head[0]), head[1]);
      },
    };
  }
  throw new Error(`unknown model ${model}`);
}

window.tfjsBench = async (backend, model, batch, steps) => {
  if (backend === 'wasm') tf.wasm.setWasmPaths('node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} is not available`);
  await tf.ready();
  const net = makeNet(model, backend === 'wasm');
  const opt = tf.train.momentum(0.1, 0.9);
  const x = tf.randomUniform([batch, ...net.shape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.forward(x)), true, net.vars);
  const run = async (n) => {
    let last;
    for (let i = 0; i < n; i++) {
      if (last) last.dispose();
      last = step();
    }
    await last.data();
    last.dispose();
  };
  await run(Math.max(1, steps));
  const start = performance.now();
  await run(Math.max(1, steps));
  const ms = (performance.now() - start) / Math.max(1, steps);
  net.vars.forEach((t) => t.dispose());
  tf.dispose([x, y]);
  opt.dispose();
  return ms;
};

// The gradient of the customGrad convolution against TF.js's own (cpu backend), for a check.
window.tfjsCheckConvGrad = async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([2, 7, 7, 3]);
  const w = tf.randomNormal([3, 3, 3, 4]);
  let worst = 0;
  for (const [stride, pad] of [[1, 'same'], [2, 'same'], [2, 'valid']]) {
    const k = pad === 'valid' ? tf.slice(w, [0, 0, 0, 0], [1, 1, 3, 4]) : w;
    const f = (conv) => tf.grads((x, k) => tf.sum(tf.square(conv(x, k, stride, pad))));
    const [dxa, dwa] = f(tf.conv2d)([x, k]);
    const [dxb, dwb] = f(convWithGrad)([x, k]);
    worst = Math.max(worst, tf.max(tf.abs(tf.sub(dxa, dxb))).dataSync()[0], tf.max(tf.abs(tf.sub(dwa, dwb))).dataSync()[0]);
  }
  return worst;
};
