// Passkeys: the one part of the app that needs JavaScript, because only `navigator.credentials`
// can talk to an authenticator. Buttons marked `data-passkey="register|sign-in"` start a ceremony;
// the server (webauthn-rs) sends options and checks the answer, both as JSON whose binary fields are
// base64url. Clicks are caught on the document, so buttons rendered later work too.
(() => {
  'use strict';

  const toBytes = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');

  async function call(name, fields) {
    const response = await fetch(`/rpc/passkeys/${name}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(`passkeys/${name}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  }

  async function register() {
    // A session that signed in more than a few minutes ago confirms with the password.
    const password = document.getElementById('passkey-password')?.value ?? '';
    const ceremony = await call('register_start', password ? { password } : {});
    const options = JSON.parse(ceremony.options).publicKey;
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    for (const credential of options.excludeCredentials ?? []) credential.id = toBytes(credential.id);
    const created = await navigator.credentials.create({ publicKey: options });
    const answer = {
      id: created.id,
      rawId: toText(created.rawId),
      type: created.type,
      response: {
        attestationObject: toText(created.response.attestationObject),
        clientDataJSON: toText(created.response.clientDataJSON),
      },
      extensions: created.getClientExtensionResults(),
    };
    const name = document.getElementById('passkey-name')?.value ?? '';
    await call('register_finish', { challenge: ceremony.challenge, credential: JSON.stringify(answer), name });
    location.assign('/profile?saved=passkeys#passkeys');
  }

  async function signIn() {
    const ceremony = await call('sign_in_start', {});
    const options = JSON.parse(ceremony.options).publicKey;
    options.challenge = toBytes(options.challenge);
    for (const credential of options.allowCredentials ?? []) credential.id = toBytes(credential.id);
    const got = await navigator.credentials.get({ publicKey: options });
    const answer = {
      id: got.id,
      rawId: toText(got.rawId),
      type: got.type,
      response: {
        authenticatorData: toText(got.response.authenticatorData),
        clientDataJSON: toText(got.response.clientDataJSON),
        signature: toText(got.response.signature),
        userHandle: got.response.userHandle ? toText(got.response.userHandle) : null,
      },
      extensions: got.getClientExtensionResults(),
    };
    await call('sign_in_finish', { challenge: ceremony.challenge, credential: JSON.stringify(answer) });
    location.assign('/profile');
  }

  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-passkey]') : null;
    if (!button) return;
    event.preventDefault();
    const status = document.getElementById(button.dataset.status ?? '');
    if (status) status.hidden = true;
    button.disabled = true;
    try {
      if (!window.PublicKeyCredential) throw new Error('this browser has no passkey support');
      await (button.dataset.passkey === 'register' ? register() : signIn());
    } catch (error) {
      // A cancelled prompt is an error too; either way the user may simply try again.
      console.info('passkey:', error);
      if (status) {
        status.textContent = status.dataset.failed ?? '';
        status.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });
})();
