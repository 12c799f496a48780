/*
 * ComptaSecure's additions to localstripe's Stripe.js stand-in, served right after it at the same URL
 * (local/stripe.py). They give the stand-in what a front end calls on Stripe.js, in the shapes Stripe.js
 * documents, so that a page written against Stripe works unchanged against the local run:
 *
 * - stripe.elements(options).create('card' | 'payment' | 'iban'): one element of each type per group
 *   (the stand-in allowed one card element only); 'card' the card's fields, 'iban' an IBAN field,
 *   'payment' both; elements.submit() as the deferred-intent flow calls it;
 * - stripe.confirmCardSetup(clientSecret, {payment_method: {card: element, billing_details}}) or
 *   (clientSecret, {payment_method: 'pm_…'}); a card number typed with its spaces, as users do;
 * - stripe.confirmSepaDebitSetup(clientSecret, {payment_method: {sepa_debit: ibanElement | {iban},
 *   billing_details}}) or (clientSecret, {payment_method: 'pm_…'});
 * - stripe.confirmSetup({elements, clientSecret?, confirmParams: {return_url, payment_method_data?,
 *   payment_method?}, redirect?}): redirects to return_url with setup_intent, setup_intent_client_secret
 *   and redirect_status as Stripe does, or answers {setupIntent} with redirect: 'if_required'.
 *
 * Each answers {setupIntent} or {error} as Stripe.js does; a card that asks for 3-D Secure opens the
 * stand-in's confirm/cancel box (openModal, above).
 */
(function () {
  'use strict';
  const standIn = Stripe; // localstripe's factory, defined above

  class IbanElement {
    constructor() {
      this.listeners = {};
      this.value = {iban: ''};
      this._input = null;
    }

    mount(target) {
      const node = typeof target === 'string' ? document.querySelector(target) : target;
      this._input = document.createElement('input');
      this._input.setAttribute('type', 'text');
      this._input.setAttribute('placeholder', 'iban');
      this._input.setAttribute('size', 34);
      this._input.oninput = () => {
        this.value = {iban: this._input.value};
        (this.listeners.change || []).forEach(handler => handler({
          elementType: 'iban', empty: !this._input.value, complete: this._input.value.length >= 15,
        }));
      };
      node.appendChild(this._input);
    }

    unmount() {
      if (this._input) this._input.remove();
      this._input = null;
    }

    destroy() { this.unmount(); }

    on(event, handler) { (this.listeners[event] = this.listeners[event] || []).push(handler); }
  }

  class CardElement {
    // The stand-in's card element moved the focus after 16 characters, spaces included, so a number
    // typed as printed on the card ran into the expiry: this one reads its fields when confirming.
    constructor() {
      this.listeners = {};
      this._inputs = null;
      this._nodes = [];
    }

    mount(target) {
      const node = typeof target === 'string' ? document.querySelector(target) : target;
      this._inputs = {};
      const label = document.createElement('span');
      label.textContent = 'localstripe: ';
      node.appendChild(label);
      this._nodes = [label];
      for (const [field, size] of [['number', 19], ['exp_month', 2], ['exp_year', 4], ['cvc', 4], ['postal_code', 5]]) {
        const input = document.createElement('input');
        input.setAttribute('type', 'text');
        input.setAttribute('placeholder', field);
        input.setAttribute('size', size);
        input.oninput = () => (this.listeners.change || []).forEach(handler => handler({
          elementType: 'card', empty: !this._inputs.number.value, complete: Boolean(this.value.card.cvc),
        }));
        this._inputs[field] = input;
        this._nodes.push(input);
        node.appendChild(input);
      }
    }

    get value() {
      const read = field => (this._inputs ? this._inputs[field].value.trim() : '');
      const year = read('exp_year');
      return {
        card: {number: read('number'), exp_month: read('exp_month'), cvc: read('cvc'),
               exp_year: year.length === 2 ? '20' + year : year},
        postal_code: read('postal_code'),
      };
    }

    unmount() {
      (this._nodes || []).forEach(child => child.remove());
      this._nodes = [];
      this._inputs = null;
    }

    destroy() { this.unmount(); }

    on(event, handler) { (this.listeners[event] = this.listeners[event] || []).push(handler); }
  }

  class PaymentElement {
    // Stripe's Payment Element lets the user pick a card or a SEPA debit: here, a card's fields and an
    // IBAN field; an IBAN typed in means a SEPA debit.
    constructor() {
      this.card = new CardElement();
      this.iban = new IbanElement();
    }

    mount(target) {
      const node = typeof target === 'string' ? document.querySelector(target) : target;
      const card = document.createElement('div'), iban = document.createElement('div');
      node.appendChild(card);
      node.appendChild(iban);
      this.card.mount(card);
      this.iban.mount(iban);
    }

    unmount() { this.card.unmount(); this.iban.unmount(); }

    destroy() { this.unmount(); }

    on(event, handler) { this.card.on(event, handler); this.iban.on(event, handler); }
  }

  function elementsGroup(options) {
    const created = {};
    return {
      _options: options || {},
      create(type) {
        if (created[type]) throw new Error(`Can only create one Element of type ${type}.`);
        created[type] = type === 'iban' ? new IbanElement() : type === 'payment' ? new PaymentElement() : new CardElement();
        return created[type];
      },
      getElement(type) { return created[type] || null; },
      update(changes) { Object.assign(this._options, changes); },
      fetchUpdates: async () => ({}),
      submit: async () => ({}),
    };
  }

  function cardDetails(card, billingDetails) {
    // A card element, or card fields given as Stripe's API names them; digits only, as Stripe.js sends them.
    const value = card instanceof CardElement ? card.value : {card};
    const details = {
      number: String(value.card.number || '').replace(/[\s-]/g, ''),
      exp_month: value.card.exp_month,
      exp_year: value.card.exp_year,
      cvc: value.card.cvc,
    };
    const billing = Object.assign({}, billingDetails || {});
    if (value.postal_code) {
      billing.address = Object.assign({postal_code: value.postal_code}, billing.address || {});
    }
    return {type: 'card', card: details, billing_details: billing};
  }

  function sepaDetails(sepaDebit, billingDetails) {
    const iban = sepaDebit instanceof IbanElement ? sepaDebit.value.iban : (sepaDebit || {}).iban;
    return {type: 'sepa_debit', sepa_debit: {iban: String(iban || '')}, billing_details: billingDetails || {}};
  }

  function methodParams(paymentMethod, details) {
    // {payment_method: 'pm_…'} confirms with a saved method; an object describes a new one.
    if (typeof paymentMethod === 'string') return {payment_method: paymentMethod};
    if (!paymentMethod) return null;
    return {payment_method_data: details(paymentMethod)};
  }

  function integrationError(message) {
    return {error: {type: 'invalid_request_error', message}};
  }

  async function confirm(apiKey, clientSecret, params) {
    const match = /^(seti_\w+?)_secret_/.exec(clientSecret || '');
    if (!match) return integrationError('Invalid value for clientSecret: expected a SetupIntent client secret.');
    if (!params) return integrationError('Missing value for payment_method.');
    const post = async (action, body) => {
      const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/setup_intents/${match[1]}/${action}`, {
        method: 'POST',
        body: JSON.stringify({key: apiKey, use_stripe_sdk: true, client_secret: clientSecret, ...body}),
      });
      const answer = await response.json().catch(() => ({}));
      return response.ok && !answer.error ? answer : {error: answer.error || {message: `HTTP ${response.status}`}};
    };
    try {
      let intent = await post('confirm', params);
      if (intent.status === 'requires_action') {
        const authenticated = await openModal(
          '3D Secure\nDo you want to confirm or cancel?', 'Complete authentication', 'Fail authentication');
        intent = await post(authenticated ? 'confirm' : 'cancel', {});
        if (intent.status === 'canceled') {
          return {error: {type: 'card_error', code: 'setup_intent_authentication_failure',
                          message: 'The latest attempt to set up the payment method has failed because authentication failed.'}};
        }
      }
      if (intent.error) return {error: intent.error};
      if (intent.status !== 'succeeded') return {error: {message: `setup_intent has status ${intent.status}`}};
      return {setupIntent: intent};
    } catch (error) {
      return {error: {type: 'api_connection_error', message: String(error)}};
    }
  }

  Stripe = function (apiKey, options) {
    const stripe = standIn(apiKey, options);
    stripe.elements = elementsGroup;

    stripe.confirmCardSetup = (clientSecret, data) => confirm(apiKey, clientSecret, methodParams(
      (data || {}).payment_method, method => cardDetails(method.card, method.billing_details)));

    stripe.confirmSepaDebitSetup = (clientSecret, data) => confirm(apiKey, clientSecret, methodParams(
      (data || {}).payment_method, method => sepaDetails(method.sepa_debit, method.billing_details)));

    stripe.confirmSetup = async ({elements, clientSecret, confirmParams, redirect} = {}) => {
      const confirmation = confirmParams || {};
      if (redirect !== 'if_required' && !confirmation.return_url) {
        throw new Error('stripe.confirmSetup(): the `confirmParams.return_url` argument is required ' +
                        "unless passing `redirect: 'if_required'`");
      }
      const secret = clientSecret || (elements && elements._options.clientSecret);
      const given = confirmation.payment_method_data || {};
      let params;
      if (typeof confirmation.payment_method === 'string') {
        params = {payment_method: confirmation.payment_method};
      } else {
        const element = elements && (elements.getElement('payment') || elements.getElement('card') ||
                                     elements.getElement('iban'));
        const iban = element instanceof PaymentElement && element.iban.value.iban ? element.iban :
          element instanceof IbanElement ? element : null;
        if (iban) params = {payment_method_data: sepaDetails(iban, given.billing_details)};
        else if (element) params = {payment_method_data: cardDetails(
          element instanceof PaymentElement ? element.card : element, given.billing_details)};
        else if (given.type === 'sepa_debit') params = {payment_method_data: sepaDetails(given.sepa_debit, given.billing_details)};
        else if (given.type === 'card') params = {payment_method_data: cardDetails(given.card, given.billing_details)};
      }
      const result = await confirm(apiKey, secret, params);
      if (result.error || redirect === 'if_required') return result;
      const target = new URL(confirmation.return_url, window.location.href);
      target.searchParams.set('setup_intent', result.setupIntent.id);
      target.searchParams.set('setup_intent_client_secret', secret);
      target.searchParams.set('redirect_status', 'succeeded');
      window.location.assign(target.toString());
      return new Promise(() => {}); // the page is leaving, as with Stripe's redirect
    };
    return stripe;
  };
})();
