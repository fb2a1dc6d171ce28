/* skillcert app.js — progressive enhancement only. Every page works without this file.
 *
 *  1. Live field checks: inputs with data-check="phone|sms_code|password|password_confirm|
 *     email|real_name|id_number" are checked as the candidate types, with exactly the
 *     server's rules and Chinese messages (crates/domain/src/identity/*.rs). Nothing is ever
 *     blocked: the server stays the authority, we only say early what it would say.
 *  2. 获取验证码: inside form[data-sms-form] the [data-send-code] button asks the JSON API for
 *     a code and counts down instead of reloading the page; if the network fails it falls back
 *     to the plain form post (the button's formaction).
 *  3. Small comforts: the active main-nav tab is scrolled into view on phones; the avatar menu
 *     closes on Escape or a tap elsewhere; Enter in an SMS form submits the form, not 获取验证码.
 *  4. 证件照在线调整: on the documents page, a chosen photo is cropped to 5:7, scaled and
 *     re-encoded on a canvas to land inside 40–80 KB, previewed, and uploaded on
 *     "使用调整后的照片" (see enhancePhotoForm).
 *  5. 待缴费: the pay page polls the payment's status every 3 s while visible (30 min at most),
 *     counts the QR code's time down and moves to 缴费成功 by itself (last section, own scope).
 */
(() => {
  'use strict';

  /* ---------- Messages: copied verbatim from the server ---------- */

  const MSG = {
    phoneEmpty: '请输入手机号',
    phoneFormat: '请输入正确的 11 位手机号',
    codeEmpty: '请输入短信验证码',
    codeFormat: '短信验证码为 6 位数字',
    passwordLength: '密码长度需为 8–64 位',
    passwordComposition: '密码需同时包含字母和数字',
    passwordMismatch: '两次输入的密码不一致',
    emailFormat: '邮箱格式不正确，例如 name@example.com',
    nameEmpty: '请输入姓名',
    nameLength: '姓名长度需为 2–30 个字',
    nameCharacters: '姓名只能包含汉字、间隔号“·”或英文字母，请与身份证件一致',
    idEmpty: '请输入身份证号',
    idLength: '身份证号应为 18 位',
    idCharacters: '身份证号只能由数字组成，最后一位可以是 X',
    idCheckDigit: '身份证号校验位不正确，请检查是否输错',
    idBirthDate: '身份证号中的出生日期不正确',
    idFutureBirthDate: '身份证号中的出生日期晚于今天',
    idProvince: '身份证号前两位不是有效的省份代码',
    smsSent: (minutes) => `验证码已发送，${minutes} 分钟内有效`,
    smsFailed: '短信发送失败，请稍后重试',
    sending: '发送中…',
    resendIn: (seconds) => `${seconds} 秒后重发`,
  };

  /* ---------- Normalising, as the server does ---------- */

  /** Full-width ASCII (０-９, Ａ-Ｚ, ＋, …) and the ideographic space to their half-width forms. */
  const toHalfWidth = (s) =>
    s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/\u3000/g, ' ');

  const stripSpaces = (s) => s.replace(/\s+/g, '');

  /** Length in characters (code points), like Rust's chars().count(). */
  const charCount = (s) => Array.from(s).length;

  /* ---------- The checks: each returns '' (fine) or the server's message ---------- */

  function checkPhone(raw) {
    const s = toHalfWidth(raw).replace(/[\s-]/g, '');
    if (!s) return MSG.phoneEmpty;
    let national = s;
    // A country code is dropped only when exactly 11 digits remain.
    for (const prefix of ['+86', '0086', '86']) {
      if (s.startsWith(prefix) && /^\d{11}$/.test(s.slice(prefix.length))) {
        national = s.slice(prefix.length);
        break;
      }
    }
    return /^1[3-9]\d{9}$/.test(national) ? '' : MSG.phoneFormat;
  }

  function checkSmsCode(raw) {
    const s = stripSpaces(toHalfWidth(raw));
    if (!s) return MSG.codeEmpty;
    return /^\d{6}$/.test(s) ? '' : MSG.codeFormat;
  }

  function checkPassword(raw) {
    const n = charCount(raw);
    if (n < 8 || n > 64) return MSG.passwordLength;
    if (!/[A-Za-z]/.test(raw) || !/[0-9]/.test(raw)) return MSG.passwordComposition;
    return '';
  }

  function checkPasswordConfirm(raw, input) {
    const password = input.form && input.form.querySelector('#password');
    if (!password) return '';
    return raw === password.value ? '' : MSG.passwordMismatch;
  }

  /** Optional field: empty is fine. Same shape rules as crates/domain/src/identity/email.rs. */
  function checkEmail(raw) {
    const s = raw.trim();
    if (!s) return '';
    if (s.length > 254) return MSG.emailFormat;
    const at = s.indexOf('@');
    if (at < 0) return MSG.emailFormat;
    const local = s.slice(0, at);
    const domain = s.slice(at + 1);
    const localOk = local.length >= 1 && local.length <= 64
      && /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)
      && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
    const labels = domain.split('.');
    const tld = labels[labels.length - 1];
    const domainOk = labels.length >= 2
      && labels.every((l) => l.length >= 1 && l.length <= 63
        && /^[A-Za-z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-'))
      && tld.length >= 2 && /[A-Za-z]/.test(tld);
    return localOk && domainOk ? '' : MSG.emailFormat;
  }

  // CJK ideographs incl. extensions A-G and compatibility ideographs, 〇; latin letters;
  // separators (middle dots, space) only between parts.
  const NAME_CHAR = /^[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2EBEF}\u{30000}-\u{3134F}\uF900-\uFAFF\u3007A-Za-z·• ]$/u;
  const NAME_SEPARATOR = /^[·• ]$/u;

  function checkRealName(raw) {
    const chars = Array.from(raw.trim());
    if (chars.length === 0) return MSG.nameEmpty;
    if (!chars.every((c) => NAME_CHAR.test(c))) return MSG.nameCharacters;
    const isSep = (c) => NAME_SEPARATOR.test(c);
    const doubled = chars.some((c, i) => i > 0 && isSep(c) && isSep(chars[i - 1]));
    if (isSep(chars[0]) || isSep(chars[chars.length - 1]) || doubled) return MSG.nameCharacters;
    if (chars.length < 2 || chars.length > 30) return MSG.nameLength;
    return '';
  }

  const PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33',
    '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54',
    '61', '62', '63', '64', '65', '71', '81', '82']);
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const ID_CHECK = '10X98765432';

  /** Today's date in Beijing time as yyyymmdd, whatever the phone's time zone. */
  function todayInShanghai() {
    const d = new Date(Date.now() + 8 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  }

  /** GB 11643, in the server's order: length, characters, province, birth date, check digit. */
  function checkIdNumber(raw) {
    const s = stripSpaces(toHalfWidth(raw)).replace(/x/g, 'X');
    if (!s) return MSG.idEmpty;
    if (charCount(s) !== 18) return MSG.idLength;
    if (!/^\d{17}[\dX]$/.test(s)) return MSG.idCharacters;
    if (!PROVINCES.has(s.slice(0, 2))) return MSG.idProvince;
    const year = Number(s.slice(6, 10));
    const month = Number(s.slice(10, 12));
    const day = Number(s.slice(12, 14));
    const date = new Date(Date.UTC(year, month - 1, day));
    const realDate = year >= 1900 && year <= 2100 && date.getUTCFullYear() === year
      && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    if (!realDate) return MSG.idBirthDate;
    let sum = 0;
    for (let i = 0; i < 17; i += 1) sum += Number(s[i]) * ID_WEIGHTS[i];
    if (ID_CHECK[sum % 11] !== s[17]) return MSG.idCheckDigit;
    if (s.slice(6, 14) > todayInShanghai()) return MSG.idFutureBirthDate;
    return '';
  }

  const CHECKS = {
    phone: checkPhone,
    sms_code: checkSmsCode,
    password: checkPassword,
    password_confirm: checkPasswordConfirm,
    email: checkEmail,
    real_name: checkRealName,
    id_number: checkIdNumber,
  };

  /** When a value is "complete" we check at once, without waiting for blur. */
  const COMPLETE = {
    phone: (v) => toHalfWidth(v).replace(/\D/g, '').length >= 11,
    sms_code: (v) => stripSpaces(v).length >= 6,
    id_number: (v) => stripSpaces(v).length >= 18,
  };

  /* ---------- Showing a field's message ---------- */

  let errorIds = 0;

  function errorElement(input) {
    const scope = input.form || document;
    return scope.querySelector(`[data-error-for="${input.name}"]`);
  }

  /** Shows `message` under the field (or clears it when empty) and marks the field. */
  function setFieldError(input, message) {
    const field = input.closest('.field');
    const box = errorElement(input);
    if (field) field.classList.toggle('invalid', Boolean(message));
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (!box) return;
    box.textContent = message;
    if (!box.id) {
      errorIds += 1;
      box.id = `field-error-${errorIds}`;
    }
    const described = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    if (!described.includes(box.id)) {
      described.push(box.id);
      input.setAttribute('aria-describedby', described.join(' '));
    }
  }

  /* ---------- Live checks: reward early, complain late ---------- */

  function runCheck(input) {
    const check = CHECKS[input.dataset.check];
    if (!check) return '';
    const message = check(input.value, input);
    setFieldError(input, message);
    return message;
  }

  /**
   * A field starts "untouched": while typing we only clear messages that no longer apply.
   * It becomes "touched" once left with something in it, once its value is complete
   * (11-digit phone, 6-digit code, 18-character ID), or when the server already marked it.
   * From then on, every keystroke re-checks it.
   */
  function enhanceCheckedInput(input) {
    const kind = input.dataset.check;
    if (!CHECKS[kind]) return;
    const field = input.closest('.field');
    let touched = Boolean(field && field.classList.contains('invalid'));
    if (touched) input.setAttribute('aria-invalid', 'true');

    input.addEventListener('input', () => {
      if (!touched && COMPLETE[kind] && COMPLETE[kind](input.value)) touched = true;
      if (touched) {
        runCheck(input);
      } else if (field && field.classList.contains('invalid') && !CHECKS[kind](input.value, input)) {
        setFieldError(input, '');
      }
      // The confirmation follows the password it must equal.
      if (kind === 'password' && input.form) {
        const confirm = input.form.querySelector('[data-check="password_confirm"]');
        if (confirm && confirm.value) runCheck(confirm);
      }
    });

    input.addEventListener('blur', () => {
      if (input.value.trim() === '' && !touched) return;
      touched = true;
      runCheck(input);
    });
  }

  /* ---------- 获取验证码 without a page reload ---------- */

  /** Finds or creates the status line above the form ([data-sms-notice]). */
  function smsNotice(form) {
    const card = form.parentElement;
    let notice = card.querySelector('[data-sms-notice]');
    if (!notice) {
      notice = document.createElement('p');
      notice.setAttribute('data-sms-notice', '');
      notice.hidden = true;
      form.before(notice);
    }
    return notice;
  }

  function showNotice(form, message, ok) {
    const notice = smsNotice(form);
    notice.className = `alert ${ok ? 'alert-ok' : 'alert-error'}`;
    notice.setAttribute('role', ok ? 'status' : 'alert');
    notice.textContent = message;
    notice.hidden = false;
    // A form-level error from an earlier post is now out of date.
    form.parentElement.querySelectorAll('.alert-error').forEach((el) => {
      if (el !== notice) el.hidden = true;
    });
  }

  function hideNotice(form) {
    const notice = form.parentElement.querySelector('[data-sms-notice]');
    if (notice) notice.hidden = true;
  }

  /** Disables the button and counts down to zero, then restores its label. */
  function startCountdown(button, seconds) {
    const label = button.dataset.label;
    const until = Date.now() + seconds * 1000;
    window.clearInterval(Number(button.dataset.timer || 0));
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(Number(button.dataset.timer));
        delete button.dataset.timer;
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.textContent = MSG.resendIn(left);
    };
    tick();
    button.dataset.timer = String(window.setInterval(tick, 1000));
  }

  /** The server's page flow, used when the API cannot be reached. */
  function submitPlainly(form, button) {
    button.disabled = false;
    button.textContent = button.dataset.label;
    if (typeof form.requestSubmit === 'function') {
      form.requestSubmit(button);
    } else {
      form.action = button.formAction;
      form.submit();
    }
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  async function sendCode(form, button) {
    const phone = form.querySelector('[name="phone"]');
    const code = form.querySelector('[name="code"]');
    const csrf = form.querySelector('input[name="csrf"]');
    const problem = checkPhone(phone.value);
    if (problem) {
      // The server would answer the same; say it now and let the candidate fix it.
      setFieldError(phone, problem);
      hideNotice(form);
      phone.focus();
      return;
    }
    setFieldError(phone, '');
    button.disabled = true;
    button.textContent = MSG.sending;

    let response;
    try {
      response = await fetch('/api/v1/sms-codes', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRF-Token': csrf ? csrf.value : '',
        },
        body: JSON.stringify({ phone: phone.value, purpose: form.dataset.purpose }),
      });
    } catch {
      submitPlainly(form, button);
      return;
    }
    const body = await readJson(response);

    if (response.status === 202) {
      const minutes = body && body.expires_in ? Math.max(1, Math.round(body.expires_in / 60)) : 5;
      showNotice(form, MSG.smsSent(minutes), true);
      startCountdown(button, (body && body.resend_after) || 60);
      if (code) code.focus();
      return;
    }
    if (!body) {
      // Not our JSON (a proxy's error page?): let the page flow explain.
      submitPlainly(form, button);
      return;
    }
    button.disabled = false;
    button.textContent = button.dataset.label;
    const first = body.fields && body.fields[0];
    if (first && first.field === 'phone') {
      setFieldError(phone, first.message);
      hideNotice(form);
      phone.focus();
    } else {
      showNotice(form, body.message || MSG.smsFailed, false);
    }
    if (response.status === 429) {
      const wait = Number(response.headers.get('Retry-After'));
      if (wait > 0) startCountdown(button, wait);
    }
  }

  function enhanceSmsForm(form) {
    const button = form.querySelector('[data-send-code]');
    if (!button || !window.fetch) return;
    button.dataset.label = button.textContent.trim();
    button.addEventListener('click', (event) => {
      event.preventDefault();
      if (!button.disabled) sendCode(form, button);
    });
    // 获取验证码 comes first in the form, so a bare Enter would press it (and send another
    // code). Enter in the phone field asks for a code; anywhere else it submits the form.
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.isComposing) return;
      const target = event.target;
      if (!(target instanceof HTMLInputElement) || target.type === 'radio' || target.type === 'checkbox') return;
      event.preventDefault();
      if (target.name === 'phone') {
        if (!button.disabled) sendCode(form, button);
      } else if (typeof form.requestSubmit === 'function') {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  }

  /* ---------- Small comforts ---------- */

  /** On a phone the nav scrolls sideways: bring the current tab into view. */
  function showActiveNavTab() {
    const nav = document.querySelector('.mainnav');
    const active = nav && nav.querySelector('a.active');
    if (!active || nav.scrollWidth <= nav.clientWidth) return;
    nav.scrollLeft = active.offsetLeft - (nav.clientWidth - active.offsetWidth) / 2;
  }

  /** The avatar menu (<details>) closes on Escape and on a tap outside it. */
  function enhanceMenus() {
    const menus = document.querySelectorAll('details.avatar-menu');
    if (!menus.length) return;
    document.addEventListener('click', (event) => {
      menus.forEach((menu) => {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      menus.forEach((menu) => {
        if (!menu.open) return;
        menu.open = false;
        menu.querySelector('summary').focus();
      });
    });
  }

  /* ---------- Cascading address pickers (wizard step 3) ----------
     Province → city → district from /api/v1/divisions. Without JavaScript the
     page's "更新下级地区列表" button reloads the lists instead (hidden here). */

  function fillSelect(select, divisions) {
    const keep = select.options[0];
    select.innerHTML = '';
    select.appendChild(keep);
    divisions.forEach((d) => select.appendChild(new Option(d.name, d.code)));
    select.value = '';
  }

  function loadChildren(parent, select) {
    if (!select) return Promise.resolve();
    if (!parent) {
      fillSelect(select, []);
      return Promise.resolve();
    }
    return fetch('/api/v1/divisions?parent=' + encodeURIComponent(parent), { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : []))
      .then((list) => fillSelect(select, list))
      .catch(() => {});
  }

  function enhanceAddress(fieldset) {
    const prefix = fieldset.dataset.address;
    const province = fieldset.querySelector('select[name="' + prefix + '_province"]');
    const city = fieldset.querySelector('select[name="' + prefix + '_city"]');
    const district = fieldset.querySelector('select[name="' + prefix + '_district"]');
    if (!province || !city || !district) return;
    province.addEventListener('change', () => {
      loadChildren(province.value, city).then(() => fillSelect(district, []));
    });
    city.addEventListener('change', () => loadChildren(city.value, district));
  }

  /* ---------- 证件照在线调整: crop, scale and re-encode the photo in the browser ----------
   * The server's rules (crates/domain/src/applications/documents.rs): JPEG, 40–80 KB, portrait
   * (height/width 1.2–1.6), at least 295×413, white background. Here the chosen photo is
   * cropped to 295:413 around its centre, scaled, and re-encoded with a quality found by binary
   * search so that the file lands inside 40–80 KB. The background cannot be fixed here: the
   * server still checks it. "使用调整后的照片" puts the result into the file input and submits
   * the form (or, where a file input cannot be filled, sends it to the API with fetch). */

  const PHOTO = {
    ratio: 413 / 295,
    minBytes: 41 * 1024,      // a little inside 40–80 KB, so that rounding never fails it
    maxBytes: 79 * 1024,
    widths: [413, 354, 472, 531, 295, 590, 708, 826],
  };

  function canvasBlob(canvas, quality) {
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  }

  function loadImage(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => resolve({ img, url });
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error('decode')); };
      img.src = url;
    });
  }

  /* The crop of the source that has the ID photo's ratio, centred. */
  function cropOf(w, h) {
    if (h / w >= PHOTO.ratio) {
      const ch = Math.round(w * PHOTO.ratio);
      return { sx: 0, sy: Math.round((h - ch) / 2), sw: w, sh: ch };
    }
    const cw = Math.round(h / PHOTO.ratio);
    return { sx: Math.round((w - cw) / 2), sy: 0, sw: cw, sh: h };
  }

  /* Binary search on the JPEG quality for one canvas: a blob inside the range, or the
   * direction to move the size ('up': even the best quality is too small; 'down'). */
  async function encodeWithin(canvas) {
    let low = 0.3;
    let high = 1.0;
    let best = null;
    const top = await canvasBlob(canvas, high);
    if (!top) return { blob: null, move: 'down' };
    if (top.size < PHOTO.minBytes) return { blob: null, move: 'up' };
    if (top.size <= PHOTO.maxBytes) return { blob: top };
    const bottom = await canvasBlob(canvas, low);
    if (bottom && bottom.size > PHOTO.maxBytes) return { blob: null, move: 'down' };
    for (let i = 0; i < 10; i += 1) {
      const q = (low + high) / 2;
      const blob = await canvasBlob(canvas, q);
      if (!blob) break;
      if (blob.size < PHOTO.minBytes) low = q;
      else if (blob.size > PHOTO.maxBytes) high = q;
      else { best = blob; low = q; if (blob.size > (PHOTO.minBytes + PHOTO.maxBytes) / 2) break; }
    }
    return best ? { blob: best } : { blob: null, move: 'down' };
  }

  async function fixPhoto(file) {
    const { img, url } = await loadImage(file);
    try {
      const crop = cropOf(img.naturalWidth, img.naturalHeight);
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d');
      const tried = new Set();
      let index = 0;
      for (let round = 0; round < PHOTO.widths.length; round += 1) {
        const width = PHOTO.widths[index];
        if (tried.has(width)) break;
        tried.add(width);
        canvas.width = width;
        canvas.height = Math.round(width * PHOTO.ratio);
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(img, crop.sx, crop.sy, crop.sw, crop.sh, 0, 0, canvas.width, canvas.height);
        const result = await encodeWithin(canvas);
        if (result.blob) {
          return { blob: result.blob, width: canvas.width, height: canvas.height };
        }
        // Bigger pictures make bigger files; pick the next size in the direction needed.
        const bigger = PHOTO.widths.filter((w) => w > width && !tried.has(w)).sort((a, b) => a - b);
        const smaller = PHOTO.widths.filter((w) => w < width && !tried.has(w)).sort((a, b) => b - a);
        const next = result.move === 'up' ? bigger[0] : smaller[0];
        if (next === undefined) break;
        index = PHOTO.widths.indexOf(next);
      }
      return null;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function kb(bytes) { return Math.round(bytes / 1024) + ' KB'; }

  function enhancePhotoForm(form) {
    const input = form.querySelector('input[data-photo-input]');
    const panel = form.querySelector('[data-photo-fix]');
    if (!input || !panel || !window.HTMLCanvasElement || !window.URL) return;
    const status = panel.querySelector('[data-photo-fix-status]');
    const preview = panel.querySelector('[data-photo-fix-preview]');
    const use = panel.querySelector('[data-photo-fix-use]');
    const error = form.querySelector('.field-error');
    let fixed = null;
    let previewUrl = null;
    // The panel is there only when this script can do the fix.
    panel.hidden = false;

    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      fixed = null;
      use.hidden = true;
      preview.hidden = true;
      if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
      if (!file) return;
      panel.hidden = false;
      status.textContent = '正在调整照片…';
      let result = null;
      try {
        result = await fixPhoto(file);
      } catch (e) {
        status.textContent = '无法读取这张图片，请选择 JPG 格式的证件照。';
        return;
      }
      if (!result) {
        status.textContent = '无法将这张照片调整到 40–80 KB，请换一张更清晰的照片。';
        return;
      }
      fixed = result;
      previewUrl = URL.createObjectURL(result.blob);
      preview.src = previewUrl;
      preview.hidden = false;
      status.textContent = '原图：' + kb(file.size) + '。调整后：' + result.width + '×' +
        result.height + ' 像素，' + kb(result.blob.size) + '（JPG）。背景须为白色，服务器会再检查。';
      use.hidden = false;
    });

    use.addEventListener('click', async () => {
      if (!fixed) return;
      const name = 'photo-' + fixed.width + 'x' + fixed.height + '.jpg';
      const file = new File([fixed.blob], name, { type: 'image/jpeg' });
      use.disabled = true;
      // Preferred: the fixed photo takes the place of the chosen one and the form is posted
      // as without JavaScript, so the server's answer is the usual page.
      try {
        if (window.DataTransfer) {
          const dt = new DataTransfer();
          dt.items.add(file);
          input.files = dt.files;
          if (input.files && input.files.length === 1 && input.files[0].size === file.size) {
            form.submit();
            return;
          }
        }
      } catch (e) { /* fall through to fetch */ }
      const action = form.getAttribute('action') || '';
      const match = action.match(/^\/applications\/(\d+)\/documents\/([a-z_]+)$/);
      const csrf = form.querySelector('input[name="csrf"]');
      if (!match || !csrf) { use.disabled = false; return; }
      const body = new FormData();
      body.append('file', file);
      try {
        const response = await fetch('/api/v1/applications/' + match[1] + '/documents/' + match[2], {
          method: 'POST',
          body,
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': csrf.value, Accept: 'application/json' },
        });
        if (response.ok) {
          window.location.replace('/applications/' + match[1] + '/documents');
          return;
        }
        const problem = await readJson(response);
        const messages = (problem && problem.fields || []).map((f) => f.message);
        if (error) error.textContent = messages.join('；') || (problem && problem.message) || '上传失败，请重试';
      } catch (e) {
        if (error) error.textContent = '网络异常，上传失败，请重试';
      }
      use.disabled = false;
    });
  }

  /* ---------- Live checks on the wizard's pages ----------
     The page's fields go to /api/v1/applications/{id}/check/{page} as typed
     (nothing is saved), and the server's own messages appear beside the fields
     the candidate has touched; on 申报信息 every eligibility alternative is judged
     live, on 学历与工作经历 the work total (合计) is shown. */

  function showLiveIssues(form, data, touched) {
    const byField = new Map();
    data.issues.forEach((issue) => {
      if (!byField.has(issue.field)) byField.set(issue.field, issue);
    });
    form.querySelectorAll('[data-error-for]').forEach((el) => {
      const name = el.dataset.errorFor;
      const field = el.closest('.field');
      const issue = byField.get(name);
      if (issue && touched.has(name)) {
        el.textContent = issue.message;
        if (field) {
          field.classList.toggle('invalid', issue.severity === 'error');
          field.classList.toggle('warning', issue.severity !== 'error');
        }
      } else if (!issue) {
        el.textContent = '';
        if (field) field.classList.remove('invalid', 'warning');
      }
    });
  }

  function showLiveEligibility(form, data) {
    const box = form.querySelector('[data-live-eligibility]');
    if (box) {
      const list = box.querySelector('ul');
      list.innerHTML = '';
      data.eligibility.forEach((v) => {
        const li = document.createElement('li');
        li.className = v.met ? 'met' : 'unmet';
        const badge = document.createElement('span');
        badge.className = 'verdict-badge';
        badge.textContent = v.met ? '符合' : '不符合';
        const sentence = document.createElement('p');
        sentence.textContent = v.sentence;
        li.append(badge, sentence);
        if (v.missing.length) {
          const missing = document.createElement('ul');
          missing.className = 'missing';
          v.missing.forEach((m) => {
            const item = document.createElement('li');
            item.textContent = m;
            missing.appendChild(item);
          });
          li.appendChild(missing);
        }
        list.appendChild(li);
      });
      box.hidden = data.eligibility.length === 0;
    }
    const total = form.querySelector('[data-live-work-total]');
    if (total) total.textContent = data.work_total;
  }

  function enhanceLiveChecks(form) {
    const url = form.dataset.liveCheck;
    const csrfInput = form.querySelector('input[name="csrf"]');
    if (!url || !csrfInput || !window.fetch) return;
    const touched = new Set();
    let timer = null;
    let latest = 0;
    const run = () => {
      const body = new URLSearchParams(new FormData(form));
      body.delete('_go');
      const mine = ++latest;
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'X-CSRF-Token': csrfInput.value,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: body.toString(),
      })
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => {
          if (!data || mine !== latest) return; // an answer to an older question
          showLiveIssues(form, data, touched);
          showLiveEligibility(form, data);
        })
        .catch(() => {});
    };
    const schedule = (event, delay) => {
      if (event.target.name) touched.add(event.target.name);
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    };
    form.addEventListener('input', (e) => schedule(e, 500));
    form.addEventListener('change', (e) => schedule(e, 150));
    // The eligibility box and work total are worth showing from the start.
    if (form.querySelector('[data-live-eligibility], [data-live-work-total]')) run();
  }

  /* ---------- Start ---------- */

  function init() {
    document.documentElement.classList.add('js');
    document.querySelectorAll('input[data-check]').forEach(enhanceCheckedInput);
    document.querySelectorAll('form[data-sms-form]').forEach(enhanceSmsForm);
    document.querySelectorAll('fieldset[data-address]').forEach(enhanceAddress);
    document.querySelectorAll('form[data-live-check]').forEach(enhanceLiveChecks);
    document.querySelectorAll('form[data-photo-form]').forEach(enhancePhotoForm);
    showActiveNavTab();
    enhanceMenus();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

/* ---------- 待缴费: the payment's status, polled (issue 6) ----------
   On the pay page, section[data-payment-poll] names the JSON API
   (GET /api/v1/applications/{id}/payment) and data-paid-href the page to go to once the fee is
   confirmed. Every 3 s (only while the tab is visible, for at most 30 minutes) the status is
   asked; when `paid` is true or the status is no longer `approved` the page moves on by itself.
   [data-payment-status] says what is known; [data-countdown] (seconds) counts down as
   "剩余 mm:ss" and says when the QR code has expired. Without this script the page's
   我已支付，刷新状态 button and 刷新页面 link do the same by hand. */
(() => {
  'use strict';

  const POLL_EVERY_MS = 3000;
  const POLL_FOR_MS = 30 * 60 * 1000;
  const REQUEST_TIMEOUT_MS = 10000;
  const TEXT = {
    waiting: '等待支付…付款成功后本页会自动跳转；也可点击下方按钮刷新。',
    checkedAt: (time) => `等待支付…（${time} 已查询，尚未收到付款）付款成功后本页会自动跳转。`,
    paid: '已收到付款，正在打开缴费凭证…',
    moved: '报名状态已变化，正在刷新页面…',
    offline: '网络不稳定，暂时无法查询支付状态，稍后自动重试。',
    stopped: '已停止自动查询。如已付款，请点击“我已支付，刷新状态”。',
    expired: '二维码已过期，请刷新页面获取新的二维码',
    left: (mmss) => `剩余 ${mmss}`,
  };

  const two = (n) => String(n).padStart(2, '0');
  const clock = (d) => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;

  function enhancePaymentPoll(section) {
    const url = section.dataset.paymentPoll;
    const paidHref = section.dataset.paidHref;
    if (!url || !paidHref || !window.fetch) return;
    const status = section.querySelector('[data-payment-status]');
    const countdown = section.querySelector('[data-countdown]');
    const startedAt = Date.now();
    let timer = null;
    let busy = false;
    let done = false;
    let expired = false;

    const say = (text) => {
      if (status && status.textContent !== text) status.textContent = text;
    };

    /* The countdown: the deadline is kept as an instant, so a throttled timer loses nothing. */
    let expiresAt = null;
    let tick = null;
    const showCountdown = () => {
      if (!countdown || expiresAt === null) return;
      const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
      if (left > 0) {
        countdown.textContent = TEXT.left(`${two(Math.floor(left / 60))}:${two(left % 60)}`);
        return;
      }
      countdown.textContent = TEXT.expired;
      if (!expired) {
        expired = true;
        section.classList.add('pay-expired');
        say(TEXT.expired);
      }
      clearInterval(tick);
      tick = null;
    };
    const setExpiry = (seconds) => {
      if (!countdown || !Number.isFinite(seconds)) return;
      expiresAt = Date.now() + Math.max(0, seconds) * 1000;
      showCountdown();
      if (!tick && seconds > 0) tick = setInterval(showCountdown, 1000);
    };
    if (countdown) setExpiry(parseInt(countdown.dataset.countdown, 10));

    const go = (text) => {
      done = true;
      clearTimeout(timer);
      say(text);
      window.location.replace(paidHref);
    };

    const schedule = () => {
      clearTimeout(timer);
      timer = null;
      if (done || document.hidden) return;
      if (Date.now() - startedAt > POLL_FOR_MS) {
        done = true;
        if (!expired) say(TEXT.stopped);
        return;
      }
      timer = setTimeout(poll, POLL_EVERY_MS);
    };

    async function poll() {
      if (done || busy || document.hidden) return;
      busy = true;
      const abort = window.AbortController ? new AbortController() : null;
      const giveUp = abort ? setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS) : null;
      try {
        const response = await fetch(url, {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
          signal: abort ? abort.signal : undefined,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        if (data.paid) { go(TEXT.paid); return; }
        if (data.status !== 'approved') { go(TEXT.moved); return; }
        const order = data.order;
        if (order && (order.state !== 'pending' || order.expires_in_seconds <= 0)) {
          setExpiry(0);
        } else if (order) {
          setExpiry(order.expires_in_seconds);
        }
        if (!expired) say(TEXT.checkedAt(clock(new Date())));
      } catch (e) {
        if (!expired) say(TEXT.offline);
      } finally {
        if (giveUp) clearTimeout(giveUp);
        busy = false;
        schedule();
      }
    }

    document.addEventListener('visibilitychange', () => {
      if (done) return;
      if (document.hidden) {
        clearTimeout(timer);
        timer = null;
      } else {
        // Back on the page: ask at once (the payment may have happened meanwhile).
        poll();
      }
    });
    schedule();
  }

  function init() {
    document.querySelectorAll('[data-payment-poll]').forEach(enhancePaymentPoll);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
