// What the front end does, in a few functions the tests call with page.evaluate: fetch with the
// bearer token, JSON in and out, Stripe.js loaded from the URL GET /_local/config gives.
const API = new URL(window.location.href).searchParams.get('api');

window.app = {
  token: null,

  async call(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const response = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {status: response.status, body: text ? JSON.parse(text) : null};
  },

  async code(email, count) {
    // The local mailbox (GET /_local/emails), polled until the count-th email has come.
    for (let attempt = 0; attempt < 600; attempt++) {
      const {body} = await this.call('GET', `/_local/emails?to=${encodeURIComponent(email)}`);
      if (body.items.length >= count) return /\b(\d{6})\b/.exec(body.items[count - 1].text)[1];
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`no email #${count} to ${email}`);
  },

  async addPasskey(name) {
    // What the security page does: the API's creation options, parsed by the browser itself, the
    // authenticator's new credential sent back as JSON.
    const started = await this.call('POST', '/me/passkeys/options');
    if (started.status !== 200) throw new Error(JSON.stringify(started));
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(started.body.options);
    const credential = await navigator.credentials.create({publicKey});
    return this.call('POST', '/me/passkeys', {credential: credential.toJSON(), name});
  },

  async logInWithPasskey() {
    // The login page's "Se connecter avec une clé d'accès": no email typed, the browser offers the passkey.
    const started = await this.call('POST', '/auth/passkey/options');
    if (started.status !== 200) throw new Error(JSON.stringify(started));
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(started.body.options);
    const credential = await navigator.credentials.get({publicKey});
    const login = await this.call('POST', '/auth/passkey',
      {challenge_id: started.body.challenge_id, credential: credential.toJSON()});
    if (login.status === 200) this.token = login.body.access_token;
    return login;
  },

  async loadStripe() {
    const {body: config} = await this.call('GET', '/_local/config');
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = config.stripe_js_url;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`Stripe.js did not load from ${config.stripe_js_url}`));
      document.head.appendChild(script);
    });
    this.stripe = Stripe(config.stripe_publishable_key);
    return config;
  },
};
