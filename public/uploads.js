// Resumable uploads for the files page: large files go through tus-js-client (npm, served from
// /vendor, loaded the first time it is needed) to /api/v1/uploads in 8 MiB chunks. A dropped
// connection is retried from the offset the server reports; after a reload, choosing the same
// file again resumes it (tus-js-client keeps each upload's address in localStorage, keyed by the
// file's name, type, size and date). The page (Rust) calls `smartaiResumable.start`.
(() => {
  'use strict';

  const LIBRARY = '/vendor/tus-js-client-4.3.1.min.js';
  let library = null;
  const load = () =>
    (library ??= new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = LIBRARY;
      script.onload = () => resolve(window.tus);
      script.onerror = () => {
        library = null;
        reject(new Error('tus-js-client did not load'));
      };
      document.head.append(script);
    }));

  // `progress(sent, total)`, `resumed(offset)`, `done()`, `failed(body)`: `body` is the API's error
  // body (JSON text) when the server refused, empty when the network failed for good.
  function start(file, progress, resumed, done, failed) {
    let upload = null;
    let paused = false;
    load()
      .then(async (tus) => {
        upload = new tus.Upload(file, {
          endpoint: '/api/v1/uploads',
          chunkSize: 8 * 1024 * 1024,
          retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
          metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
          removeFingerprintOnSuccess: true,
          // 409 (another tab moved the offset) and 423 (a dropped request still holds the
          // upload for a few seconds) clear up by themselves; other refusals do not.
          onShouldRetry: (error) => {
            const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
            return status === 0 || status === 409 || status === 423 || status >= 500;
          },
          onProgress: (sent, total) => progress(sent, total),
          onSuccess: () => done(),
          onError: (error) => failed(error.originalResponse ? error.originalResponse.getBody() || '' : ''),
        });
        const previous = await upload.findPreviousUploads();
        if (previous.length > 0) {
          upload.resumeFromPreviousUpload(previous[0]);
          resumed();
        }
        if (!paused) upload.start();
      })
      .catch(() => failed(''));
    return {
      pause() {
        paused = true;
        if (upload) upload.abort();
      },
      resume() {
        paused = false;
        if (upload) upload.start();
      },
    };
  }

  window.smartaiResumable = { start };
})();
